"""Metric functions of the evaluation, pure and small so they can be checked by hand.

Strings are compared with :func:`index.text.compact` (accent-folded, lower-case,
whitespace and most punctuation collapsed), so "Phòng VH-XH" matches "phong vh-xh".
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from index.text import compact


def contains(haystack: str, needle: str) -> bool:
    n = compact(needle)
    return bool(n) and n in compact(haystack)


def answer_correct(answer: str, groups: Sequence[Sequence[str]]) -> bool:
    """Every group must be matched by at least one of its alternatives. No groups → False."""
    return bool(groups) and all(any(contains(answer, alt) for alt in g) for g in groups)


def first_relevant_rank(chunks: Sequence[tuple[str, str]], gold_docs: set[str], evidence: Sequence[str]) -> int | None:
    """0-based rank of the first (doc_id, text) chunk from a gold doc containing an evidence phrase."""
    for i, (doc_id, text) in enumerate(chunks):
        if (not gold_docs or doc_id in gold_docs) and any(contains(text, e) for e in evidence):
            return i
    return None


def recall_at(ranks: Iterable[int | None], k: int) -> float:
    ranks = list(ranks)
    return sum(1 for r in ranks if r is not None and r < k) / len(ranks) if ranks else 0.0


def mrr_at(ranks: Iterable[int | None], k: int = 10) -> float:
    ranks = list(ranks)
    return sum(1.0 / (r + 1) for r in ranks if r is not None and r < k) / len(ranks) if ranks else 0.0


def citation_correct(quote: str, doc_id: str, gold_docs: set[str], evidence: Sequence[str],
                     groups: Sequence[Sequence[str]]) -> bool:
    """A citation is correct when its quote lies in the gold passage (contains an evidence
    phrase or is contained in one) or, from a gold document, supports the answer (contains
    one of the accepted alternatives)."""
    if gold_docs and doc_id not in gold_docs:
        return False
    q = compact(quote)
    if not q:
        return False
    if any(compact(e) in q or q in compact(e) for e in evidence if compact(e)):
        return True
    return any(contains(quote, alt) for g in groups for alt in g)


def abstention(records: Sequence[dict]) -> dict[str, float]:
    """Precision/recall of abstaining on negatives; false-abstention rate on answerable ones."""
    neg = [r for r in records if r["negative"]]
    pos = [r for r in records if not r["negative"]]
    abst = [r for r in records if r["abstained"]]
    tp = sum(1 for r in neg if r["abstained"])
    return {"precision": tp / len(abst) if abst else 0.0,
            "recall": tp / len(neg) if neg else 0.0,
            "false_abstention_rate": sum(1 for r in pos if r["abstained"]) / len(pos) if pos else 0.0}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return float(s[k])
