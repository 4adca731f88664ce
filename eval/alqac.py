"""ALQAC 2022 legal retrieval benchmark, run through PlanQA's own index and retrieval.

The data (4 Vietnamese laws, 1,377 articles, 520 questions with one gold article each) is
read from ``../shared/data/alqac2022`` at evaluation time and never copied into the
repository (see its PROVENANCE.md).

How the benchmark maps onto the product:

- each law is one :class:`~index.models.ParsedDocument`; each article is a section
  (``section_path == ["Điều <id>"]``) and is split into passages (chunks) of a few
  sentences with a one-sentence overlap, the article title being the chunk heading,
  exactly as the product prefixes a heading path to its chunks;
- the generation is written with :func:`index.writer.write_generation` (BM25 fields,
  FAISS, vectors: the real product files) into ``<home>/eval-cache/alqac-<key>/``, where
  ``key`` hashes the data, the chunking code, the normalizer and the embedding model, so
  a rerun skips the embedding;
- every question goes through :func:`rag.retrieve.hybrid_search` (``methods`` selects the
  single-method systems), and the ranked passages are aggregated to articles: an article
  scores as its best passage (the ranking of the product's hits, deduplicated by article).

Recall@k / MRR@10 are computed with :mod:`eval.metrics` over article ranks.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from eval.metrics import mrr_at, recall_at
from index import text as vt
from index.models import Chunk, Document, ParsedDocument, Section

SYSTEM_METHODS = {
    "bm25": ("bm25_word", "bm25_fold"),
    "dense": ("dense",),
    "hybrid": ("bm25_word", "bm25_fold", "dense"),
    # the product's fusion before score fusion (equal weights, reciprocal rank): comparison only
    "hybrid_rrf": ("bm25_word", "bm25_fold", "dense"),
}
SYSTEM_NOTES = {
    "bm25": "both BM25 fields (accented syllables + words, folded syllables + pairs)",
    "dense": "e5-small passages (FAISS flat)",
    "hybrid": "PlanQA hybrid_search, fusion and weights as above (the product's settings by default)",
    "hybrid_rrf": "previous default: reciprocal-rank fusion k=60, equal weights, fields 50/50",
}
# passages: sentences packed up to this many characters, the last sentence of a window
# repeated at the start of the next one (when it is short enough). 400 was chosen on the dev
# half: e5-small ranks short passages much better (dense recall@1 0.894 at 400 characters,
# 0.869 at 700, 0.808 for whole articles), BM25 hardly changes (0.910 / 0.917 / 0.913).
PASSAGE_CHARS = 400
OVERLAP_SENTENCES = 1
# retrieval: chunks fetched per question before aggregation to articles
HIT_K = 100
DEPTH = 100    # the product default of hybrid_search
KS = (1, 5, 10)
CACHE_KEEP = 4   # cached ALQAC indexes kept under <home>/eval-cache (subset, ablations)
LAW_TITLES = {   # display only (report); the laws are identified by their number
    "91/2015/QH13": "Bộ luật Dân sự 2015",
    "24/2018/QH14": "Luật An ninh mạng 2018",
    "45/2019/QH14": "Bộ luật Lao động 2019",
    "01/VBHN-VPQH": "Bộ luật Hình sự (văn bản hợp nhất)",
}
ANCHORS = [  # measured elsewhere, same data, all 520 questions (recall@1, recall@10, mrr@10)
    ("bm25s over underthesea tokens (article level)", "0.850", "0.963", "0.891"),
    ("e5-small dense (article level)", "0.808", "0.963", "0.864"),
    ("naive reciprocal-rank fusion of the two", "0.865–0.879", "0.971–0.975", "0.904–0.912"),
]


# ====================================================================== data

@dataclass
class Article:
    law_id: str
    article_id: str
    title: str
    body: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.law_id, self.article_id)


def load_alqac(data_dir: Path) -> tuple[list[Article], list[dict], str]:
    """Articles (in file order), questions, and a digest of both files."""
    data_dir = Path(data_dir)
    law_path, q_path = data_dir / "law.json", data_dir / "questions.json"
    for p in (law_path, q_path):
        if not p.is_file():
            raise FileNotFoundError(f"ALQAC file missing: {p} (expected law.json and questions.json in {data_dir})")
    laws = json.loads(law_path.read_text(encoding="utf-8"))
    questions = json.loads(q_path.read_text(encoding="utf-8"))
    articles = []
    for law in laws:
        for a in law["articles"]:
            title, _, body = a["text"].partition("\n")
            articles.append(Article(law["id"], str(a["id"]), title.strip(), body.strip()))
    digest = hashlib.sha256(law_path.read_bytes() + b"\0" + q_path.read_bytes()).hexdigest()
    return articles, questions, digest


def gold_key(q: dict) -> tuple[str, str]:
    ref = q["relevant_articles"][0]
    return (ref["law_id"], str(ref["article_id"]))


def select_subset(articles: list[Article], questions: list[dict], limit: int,
                  max_articles: int, every: int = 1) -> tuple[list[Article], list[dict]]:
    """The first ``limit`` questions (of every ``every``-th one, to spread a small sample over
    the four laws); with ``max_articles``, only their gold articles plus
    distractors, up to ``max_articles`` articles in all: round after round, each question
    adds its next *lexical* distractor (best non-gold article by a plain folded BM25 over
    whole articles) and its gold article's next neighbour in the same law (by position,
    usually the same topic). A small subset then stays hard enough to tell systems apart."""
    qs = questions[::max(1, every)]
    qs = qs[:limit] if limit else qs
    if not max_articles:
        return articles, qs
    import bm25s

    pos = {a.key: i for i, a in enumerate(articles)}
    gold = [pos[gold_key(q)] for q in qs if gold_key(q) in pos]
    keep = dict.fromkeys(gold)
    bm = bm25s.BM25()
    bm.index([vt.syllables(vt.fold(f"{a.title} {a.body}")) or [""] for a in articles], show_progress=False)
    lexical = []
    for q in qs:
        toks = [t for t in vt.syllables(vt.fold(q["text"])) if t in bm.vocab_dict]
        scores = bm.get_scores(toks) if toks else np.zeros(len(articles))
        lexical.append([int(i) for i in np.argsort(-scores, kind="stable")[:max_articles]])
    for r in range(1, max_articles):
        step = (r + 1) // 2 * (-1 if r % 2 else 1)          # neighbours -1, +1, -2, +2, …
        for g, lex in zip(gold, lexical):
            near = g + step
            same_law = 0 <= near < len(articles) and articles[near].law_id == articles[g].law_id
            for j in [*lex[r - 1:r], *([near] if same_law else [])]:
                if len(keep) < max_articles:
                    keep.setdefault(j)
        if len(keep) >= max_articles:
            break
    return [a for i, a in enumerate(articles) if i in keep], qs


# ====================================================================== documents

def _windows(spans: list[tuple[int, int]], max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into windows of at most ``max_chars`` (a single
    longer sentence is its own window); ``overlap`` sentences are repeated."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and spans[j][1] - spans[i][0] <= max_chars:
            j += 1
        out.append((spans[i][0], spans[j - 1][1]))
        if j >= len(spans):
            break
        back = j - overlap
        # repeat the tail only when it leaves room for new text and moves forward
        i = back if back > i and spans[j - 1][1] - spans[back][0] <= max_chars // 2 else j
    return out


def law_document(law_id: str, articles: list[Article], max_chars: int = PASSAGE_CHARS,
                 overlap: int = OVERLAP_SENTENCES) -> ParsedDocument:
    """One law as a parsed document: a section per article, passages as chunks."""
    parts: list[str] = []
    sections: list[Section] = []
    chunks: list[Chunk] = []
    pos = 0
    for a in articles:
        title, body = vt.normalize(a.title).strip(), vt.normalize(a.body).strip()
        head = f"Điều {a.article_id}. {title}"
        block = f"{head}\n{body}\n\n"
        start, body_start = pos, pos + len(head) + 1
        path = [f"Điều {a.article_id}"]
        sections.append(Section(id=f"s{len(sections)}", path=path, heading=title,
                                span=(start, start + len(block) - 2), level=1))
        spans = vt.sentences(body, offset=body_start) or [(body_start, body_start + len(body))]
        for s, e in _windows(spans, max_chars, overlap):
            chunks.append(Chunk(id=f"{law_id}#{len(chunks)}", doc_id=law_id, section_path=path, kind="text",
                                text=block[s - start:e - start], span=(s, e), heading=title))
        parts.append(block)
        pos += len(block)
    text = "".join(parts)
    doc = Document(id=law_id, title=LAW_TITLES.get(law_id, law_id), doc_type="Luật", number=law_id,
                   source_file="alqac2022/law.json")
    return ParsedDocument(document=doc, text=text, sections=sections, chunks=chunks)


def law_documents(articles: list[Article], max_chars: int = PASSAGE_CHARS) -> list[ParsedDocument]:
    by_law: dict[str, list[Article]] = {}
    for a in articles:
        by_law.setdefault(a.law_id, []).append(a)
    return [law_document(law, arts, max_chars) for law, arts in by_law.items()]


def _code_version() -> str:
    """Changes whenever the document/chunk construction or the stored format changes."""
    from index.store import FORMAT_VERSION
    from index.writer import tokens_for
    src = "".join(inspect.getsource(f) for f in (_windows, law_document, tokens_for))
    return hashlib.sha256(f"{src}|{OVERLAP_SENTENCES}|{vt.NORMALIZER_VERSION}|{FORMAT_VERSION}"
                          .encode()).hexdigest()


# ====================================================================== index

def build_or_open(cache_root: Path, articles: list[Article], data_digest: str, embedder,
                  progress: bool = True, passage_chars: int = PASSAGE_CHARS) -> tuple[object, float, bool]:
    """Open the cached ALQAC generation for this data/code/model, building it if needed.

    Returns (snapshot, build seconds, built?)."""
    from tqdm import tqdm

    from index.reader import open_index
    from index.store import current_generation, read_manifest, write_lock
    from index.writer import DocRecord, tokens_for, write_generation

    model = {"name": embedder.name, "dim": embedder.dim, "fingerprint": embedder.fingerprint}
    keys = "\n".join(f"{a.law_id}|{a.article_id}" for a in articles)
    key = hashlib.sha256(f"{data_digest}|{_code_version()}|{passage_chars}|{model}|{keys}".encode()).hexdigest()[:16]
    home = Path(cache_root) / f"alqac-{key}"
    gen = current_generation(home)
    if gen is not None and read_manifest(gen).get("alqac_key") == key:
        return open_index(home, model), 0.0, False
    t0 = time.perf_counter()
    with write_lock(home):
        parsed = law_documents(articles, passage_chars)
        records = []
        for p in tqdm(parsed, desc="ALQAC: tách từ / tokenizing", unit="luật", disable=not progress, file=sys.stderr):
            word, fold = tokens_for(p)
            records.append(DocRecord(p, np.zeros((0, embedder.dim), np.float32), word, fold))
        texts = [c.retrieval_text for p in parsed for c in p.chunks]
        if progress:
            print(f"ALQAC: embedding {len(texts)} passages of {len(articles)} articles "
                  f"(once; cached in {home})", file=sys.stderr, flush=True)
        vecs = embedder.encode_passages(texts, show_progress=progress)
        i = 0
        for r in records:
            n = len(r.parsed.chunks)
            r.vectors = vecs[i:i + n]
            i += n
        write_generation(home, None, set(), records, {}, model, "flat", extra_manifest={"alqac_key": key})
    _prune_cache(Path(cache_root), keep=CACHE_KEEP)
    return open_index(home, model), time.perf_counter() - t0, True


def _prune_cache(cache_root: Path, keep: int) -> None:
    """Keep the ``keep`` most recently built ALQAC indexes (older code/data versions go)."""
    import shutil
    olds = sorted(cache_root.glob("alqac-*"), key=lambda p: p.stat().st_mtime, reverse=True)[keep:]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


# ====================================================================== retrieval

def article_of(hit) -> tuple[str, str]:
    return (hit.doc_id, hit.section_path[0].removeprefix("Điều "))


def rank_articles(hits) -> list[tuple[str, str]]:
    """Articles in the order of their best passage (hits are sorted best first)."""
    seen: dict[tuple[str, str], None] = {}
    for h in hits:
        seen.setdefault(article_of(h), None)
    return list(seen)


def search_articles(snap, query: str, qvec, methods: tuple[str, ...], weights=None) -> list[tuple[str, str]]:
    """The product's retrieval (hybrid_search, like Engine.search), hits aggregated to articles."""
    from rag.retrieve import hybrid_search
    hits = hybrid_search(snap, query, qvec, k=HIT_K, weights=weights, folded_only=not vt.has_diacritics(query),
                         depth=DEPTH, methods=methods)
    return rank_articles(hits)


def metrics_of(ranks: list[int | None]) -> dict[str, float]:
    out = {f"recall@{k}": round(recall_at(ranks, k), 4) for k in KS}
    out["mrr@10"] = round(mrr_at(ranks, 10), 4)
    return out


def split_of(q: dict) -> str:
    """dev = odd question numbers (used for tuning), test = even ones (held out)."""
    n = int(str(q["id"]).rsplit("-", 1)[-1])
    return "dev" if n % 2 else "test"


def run_alqac(data_dir: Path, home: Path | None = None, limit: int = 0, report: Path | None = None,
              systems=("bm25", "dense", "hybrid"), *, baselines=("hybrid_rrf",), max_articles: int = 0,
              every: int = 1, progress: bool = True, weights=None, passage_chars: int = PASSAGE_CHARS) -> dict:
    """Run the benchmark; returns dataset info, per-system article-level metrics, timings.

    ``limit``: only the first N questions (``every``: of every k-th question);
    ``max_articles``: index only the gold articles of those questions plus lexical and
    neighbouring distractors (quick subset runs, tests; see :func:`select_subset`).
    ``weights``: fusion weights (default: the product's settings); ``passage_chars``: passage
    size (a very large value indexes whole articles, for comparison); ``baselines``: extra
    systems reported under ``"baselines"`` (and in the split tables), by default
    ``"hybrid_rrf"``, the product's previous reciprocal-rank fusion, for comparison."""
    from tqdm import tqdm

    from index.embedding import load_embedder
    from index.settings import home as default_home
    from index.settings import setting
    from rag.retrieve import Weights

    t_start = time.perf_counter()
    home = Path(home) if home is not None else default_home()
    articles, questions, digest = load_alqac(data_dir)
    n_all_articles = len(articles)
    articles, questions = select_subset(articles, questions, limit, max_articles, every)
    if weights is None:
        weights = Weights(setting("weight_bm25"), setting("weight_dense"), setting("rrf_k"))

    t0 = time.perf_counter()
    embedder = load_embedder(home)
    t_model = time.perf_counter() - t0
    snap, t_build, built = build_or_open(home / "eval-cache", articles, digest, embedder, progress, passage_chars)

    t0 = time.perf_counter()
    qtexts = [q["text"] for q in questions]
    qvecs = embedder.encode_queries(qtexts)
    t_qemb = time.perf_counter() - t0

    golds = [gold_key(q) for q in questions]
    per_system: dict[str, list[int | None]] = {}
    latency: dict[str, list[float]] = {}
    rrf = Weights(1.0, 1.0, 60, fusion="rrf", fold_share=0.5)
    run = list(dict.fromkeys([*systems, *baselines]))
    for name in run:
        if name not in SYSTEM_METHODS:
            raise ValueError(f"unknown system {name!r}; expected some of {', '.join(SYSTEM_METHODS)}")
        methods = SYSTEM_METHODS[name]
        w = rrf if name == "hybrid_rrf" else weights
        ranks, lat = [], []
        for q, qv, g in tqdm(list(zip(qtexts, qvecs, golds)), desc=f"ALQAC: {name}", unit="câu",
                             disable=not progress, file=sys.stderr):
            t = time.perf_counter()
            arts = search_articles(snap, q, qv if "dense" in methods else None, methods, w)
            lat.append((time.perf_counter() - t) * 1000)
            ranks.append(arts.index(g) if g in arts else None)
        per_system[name], latency[name] = ranks, lat

    splits = {"all": list(range(len(questions)))}
    for sp in ("dev", "test"):
        splits[sp] = [i for i, q in enumerate(questions) if split_of(q) == sp]
    res = {
        "dataset": {"name": "ALQAC 2022 (task 1, legal article retrieval)", "data_dir": str(data_dir),
                    "sha256": digest, "laws": len({a.law_id for a in articles}), "articles_total": n_all_articles,
                    "passages": len(snap.chunks), "passage_chars": passage_chars,
                    "overlap_sentences": OVERLAP_SENTENCES, "subset": bool(limit or max_articles or every > 1),
                    "index": str(snap.gen)},
        "n_questions": len(questions),
        "n_articles": len(articles),
        "systems": {name: metrics_of(per_system[name]) for name in systems},
        "baselines": {name: metrics_of(per_system[name]) for name in run if name not in systems},
        "splits": {sp: {"n": len(idx), "systems": {name: metrics_of([r[i] for i in idx])
                                                    for name, r in per_system.items()}}
                   for sp, idx in splits.items() if sp != "all"},
        "weights": asdict(weights),
        "timings": {"model_load_s": round(t_model, 2), "index_build_s": round(t_build, 2), "index_cached": not built,
                    "query_embedding_s": round(t_qemb, 2),
                    "search_ms_p50": {n: round(statistics.median(v), 2) for n, v in latency.items() if v},
                    "total_s": 0.0},
    }
    res["timings"]["total_s"] = round(time.perf_counter() - t_start, 2)
    if report:
        write_report(res, Path(report), per_system)
    return res


# ====================================================================== report

def write_report(res: dict, out_dir: Path, gold_ranks: dict[str, list[int | None]] | None = None) -> Path:
    """``alqac.md`` (tables) and ``alqac.json`` (the result, plus when given the 0-based
    rank of the gold article of every question per system, in question order, "-" when
    not retrieved; question texts stay out of the repository)."""
    from eval.report import machine

    out_dir.mkdir(parents=True, exist_ok=True)
    cols = ["recall@1", "recall@5", "recall@10", "mrr@10"]
    ds, tm = res["dataset"], res["timings"]

    def table(systems: dict) -> list[str]:
        rows = ["| system | " + " | ".join(cols) + " | what |", "|---|" + "---|" * (len(cols) + 1)]
        rows += [f"| {n} | " + " | ".join(f"{m[c]:.3f}" for c in cols) + f" | {SYSTEM_NOTES.get(n, '')} |"
                 for n, m in systems.items()]
        return rows

    lines = [
        "# ALQAC 2022 — legal article retrieval through PlanQA's index and retrieval", "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; machine: {machine()}; one run (retrieval is deterministic).",
        f"- Dataset: {ds['name']}, sha256 `{ds['sha256'][:16]}…` of law.json + questions.json, read from "
        f"`{ds['data_dir']}` (not copied into the repository). {res['n_questions']} questions, "
        f"{res['n_articles']} articles of {ds['laws']} laws" + (" (subset run)" if ds["subset"] else "") + ".",
        f"- Index: each law is a document, each article a section; {ds['passages']} passages "
        f"(sentence windows of ≤ {ds['passage_chars']} characters, {ds['overlap_sentences']} sentence overlap, "
        "article title as heading). Article score = its best passage.",
        f"- Fusion: {json.dumps(res['weights'], ensure_ascii=False)}.",
        f"- Time: total {tm['total_s']:.1f} s (index build {tm['index_build_s']:.1f} s"
        f"{', cached' if tm['index_cached'] else ''}; model load {tm['model_load_s']:.1f} s; "
        f"query embedding {tm['query_embedding_s']:.1f} s); search p50 per question: "
        + ", ".join(f"{k} {v:.1f} ms" for k, v in tm["search_ms_p50"].items()) + ".",
        "", f"## All questions (n = {res['n_questions']})", "", *table({**res["systems"], **res.get("baselines", {})}), "",
    ]
    for sp, d in res.get("splits", {}).items():
        what = "odd ids, used for tuning" if sp == "dev" else "even ids, held out"
        lines += [f"## {sp} half ({what}, n = {d['n']})", "", *table(d["systems"]), ""]
    lines += ["## Anchors (measured elsewhere on the same 520 questions, for comparison)", "",
              "| system | recall@1 | recall@10 | mrr@10 |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ANCHORS]
    lines += ["", "Target for PlanQA's hybrid: recall@1 ≥ 0.90 and recall@10 ≥ 0.98, above both single methods.", ""]
    path = out_dir / "alqac.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = dict(res)
    if gold_ranks is not None:
        out["gold_ranks"] = {name: " ".join("-" if r is None else str(r) for r in ranks)
                             for name, ranks in gold_ranks.items()}
    (out_dir / "alqac.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
