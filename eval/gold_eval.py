"""Run the gold question set through several systems and score them (one run, one machine)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from eval import metrics as M
from eval.systems import make_system

GOLD_DIR = Path(__file__).parent / "gold"


def load_gold(path: Path | None = None, split: str | None = None) -> list[dict]:
    path = path or GOLD_DIR / "questions.jsonl"
    items = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in items if split in (None, "all") or q.get("split") == split]


def gold_docs(q: dict, copies: dict[str, str] | None = None) -> set[str]:
    """Gold doc ids as the index names them (file stems are slugified at ingest), plus the
    index's registered copies of them (``copies``: copy id → original id, e.g. the OCR scan
    of a plan): the same plan, so a citation into the copy cites the gold plan."""
    from index.catalog import slugify

    d = q.get("doc")
    ids = set() if d is None else ({d} if isinstance(d, str) else set(d))
    ids |= {slugify(i) for i in ids}
    return ids | {c for c, orig in (copies or {}).items() if orig in ids}


def plan_copies(engine) -> dict[str, str]:
    """copy id → original id for documents the index registered as duplicates."""
    docs = engine.snapshot().documents
    return {d: m["duplicate_of"] for d, m in docs.items() if m.get("duplicate_of")}


@dataclass
class SystemResult:
    name: str
    records: list[dict] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    by_type: dict = field(default_factory=dict)


def score_one(q: dict, out, copies: dict[str, str] | None = None) -> dict:
    neg = q["type"] == "negative"
    docs = gold_docs(q, copies)
    correct = out.abstained if neg else (not out.abstained and M.answer_correct(out.answer, q["answers"]))
    rank = None if neg else M.first_relevant_rank(out.chunks, docs, q.get("evidence", []))
    cites = [] if neg or out.abstained else out.citations
    good = [M.citation_correct(c.get("quote", ""), c.get("doc_id", ""), docs, q.get("evidence", []), q["answers"])
            for c in cites]
    return {"id": q["id"], "type": q["type"], "tags": q.get("tags", []), "question": q["question"],
            "expected": q["answers"], "negative": neg, "answer": out.answer, "abstained": out.abstained,
            "correct": bool(correct), "rank": rank, "citations": out.citations, "citations_ok": good,
            "timings_ms": out.timings_ms}


def aggregate(records: list[dict]) -> dict:
    pos = [r for r in records if not r["negative"]]
    ranks = [r["rank"] for r in pos]
    cites = [ok for r in pos for ok in r["citations_ok"]]
    answered = [r for r in pos if not r["abstained"]]
    totals = [r["timings_ms"].get("total", 0.0) for r in records]
    out = {"n": len(records), "answer_accuracy": _mean(r["correct"] for r in pos),
           "overall_accuracy": _mean(r["correct"] for r in records),
           "recall@1": M.recall_at(ranks, 1), "recall@5": M.recall_at(ranks, 5),
           "recall@10": M.recall_at(ranks, 10), "mrr@10": M.mrr_at(ranks, 10),
           "citation_precision": _mean(cites) if cites else 0.0,
           "citation_recall": _mean(any(r["citations_ok"]) for r in answered) if answered else 0.0,
           **{f"abstention_{k}": v for k, v in M.abstention(records).items()},
           "latency_p50_ms": M.percentile(totals, 50), "latency_p95_ms": M.percentile(totals, 95)}
    stages = defaultdict(list)
    for r in records:
        for k, v in r["timings_ms"].items():
            stages[k].append(v)
    out["stages_ms"] = {k: {"p50": M.percentile(v, 50), "p95": M.percentile(v, 95)} for k, v in stages.items()}
    return out


def by_type(records: list[dict]) -> dict:
    groups = defaultdict(list)
    for r in records:
        groups[r["type"]].append(r)
        for t in r["tags"]:
            groups[f"tag:{t}"].append(r)
    return {k: {"n": len(v), "accuracy": _mean(r["correct"] for r in v)} for k, v in sorted(groups.items())}


def run_gold(engine, systems: list[str], questions: list[dict], progress: bool = True) -> dict[str, SystemResult]:
    results = {}
    copies = plan_copies(engine)
    for name in systems:
        _forget_cached_questions(engine)      # each system pays for its own query embeddings
        system = make_system(name, engine)
        res = SystemResult(name)
        for q in tqdm(questions, desc=f"eval {name}", disable=not progress, leave=False):
            res.records.append(score_one(q, system.run(q["question"]), copies))
        res.metrics = aggregate(res.records)
        res.by_type = by_type(res.records)
        results[name] = res
    return results


def _forget_cached_questions(engine) -> None:
    cache = getattr(getattr(engine, "_embedder", None), "_query_cache", None)
    if cache is not None:
        cache.clear()


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else 0.0
