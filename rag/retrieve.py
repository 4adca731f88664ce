"""Hybrid retrieval: BM25 (accented words + accent-folded syllables) and dense e5, fused
by weighted normalized scores (default) or weighted reciprocal rank. Scores stay numpy
arrays over all chunks until the final top-k; filters are a boolean mask, not a Python loop.

Score fusion (``Weights.fusion == "score"``): each method's scores are min-max normalized
over its own top-``depth`` candidates (BM25 from 0, since 0 means "no shared term"), then
summed with the weights; a chunk outside a method's top ``depth`` gets 0 from it. Unlike
reciprocal rank it keeps *how much* better the best hit is, so a confident BM25 match is
not pulled down by a mediocre dense rank. Measured on ALQAC 2022 (eval/alqac.py, same index,
recall@1 of rrf → score): 0.896 → 0.915 on the odd-numbered questions used for tuning,
0.919 → 0.946 on the held-out even ones. The folded BM25 field (syllable pairs) is much
stronger than the accented one there (recall@1 0.913 vs 0.875 alone), hence ``fold_share``."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from index.reader import IndexSnapshot
from rag.types import Hit

METHODS = ("bm25_word", "bm25_fold", "dense")
FUSIONS = ("score", "rrf")


@dataclass
class Weights:
    """Fusion weights. ``bm25`` is shared by the two BM25 fields when both are used: the
    folded field (syllables + syllable pairs, the stronger one) gets ``fold_share`` of it."""
    bm25: float = 1.0
    dense: float = 1.0
    rrf_k: int = 60              # only for fusion == "rrf"
    fusion: str = "score"        # "score" (normalized score sum) | "rrf" (reciprocal rank)
    fold_share: float = 0.75

    def method_weight(self, method: str, methods: set[str]) -> float:
        if method == "dense":
            return self.dense
        if {"bm25_word", "bm25_fold"} <= methods:
            return self.bm25 * (self.fold_share if method == "bm25_fold" else 1.0 - self.fold_share)
        return self.bm25


def filter_mask(snap: IndexSnapshot, filters: dict | None) -> np.ndarray | None:
    """Boolean mask over chunks from filters: doc_id(s), issuer, level, year, kind, and parts
    ({doc id: [(start, end)]}: of those documents, only the chunks starting in those spans)."""
    if not filters:
        return None
    mask = np.ones(len(snap.chunks), dtype=bool)
    docs = snap.documents
    doc_ids = filters.get("doc_id") or filters.get("doc_ids")
    if doc_ids:
        wanted = {doc_ids} if isinstance(doc_ids, str) else set(doc_ids)
        mask &= snap.rows_of_docs(wanted)
    for key in ("issuer", "level"):
        if filters.get(key):
            from index.text import fold
            want = fold(str(filters[key]))
            ok = [d for d, m in docs.items() if want in fold(m.get(key, ""))]
            mask &= snap.rows_of_docs(ok)
    if filters.get("year"):
        ok = [d for d, m in docs.items() if str(filters["year"]) in ((m.get("date") or "")[:4] + " " + m.get("title", ""))]
        mask &= snap.rows_of_docs(ok)
    if filters.get("kind"):
        kinds = {filters["kind"]} if isinstance(filters["kind"], str) else set(filters["kind"])
        mask &= snap.rows_of_kinds(kinds)
    for doc_id, spans in (filters.get("parts") or {}).items():     # {doc id: [(start, end)]}
        mask &= ~snap.rows_of_docs([doc_id]) | snap.rows_starting_in(spans)
    return mask


def bm25_scores(snap: IndexSnapshot, query: str, folded_only: bool) -> dict[str, np.ndarray]:
    from index import text as vt

    out = {}
    fold_tokens = [t for t in vt.folded_tokens(query) if t in snap.bm25_fold.vocab_dict]
    out["bm25_fold"] = snap.bm25_fold.get_scores(fold_tokens) if fold_tokens else np.zeros(len(snap.chunks))
    if not folded_only:
        word_tokens = [t for t in snap.query_word_tokens(query) if t in snap.bm25_word.vocab_dict]
        out["bm25_word"] = snap.bm25_word.get_scores(word_tokens) if word_tokens else np.zeros(len(snap.chunks))
    return out


def dense_scores(snap: IndexSnapshot, qvec: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Inner-product scores, -inf elsewhere: of the top ``k`` chunks (FAISS search) or, with a
    ``mask``, of every allowed chunk (computed for those rows only, from the exact vectors)."""
    n = len(snap.chunks)
    scores = np.full(n, -np.inf, dtype=np.float32)
    if n == 0:
        return scores
    q = np.ascontiguousarray(qvec.reshape(1, -1), dtype=np.float32)
    with _one_omp_thread():
        if mask is not None:
            rows = np.flatnonzero(mask)
            if rows.size:
                scores[rows] = _inner_products(snap, q, rows)
            return scores
        d, i = snap.faiss.search(q, min(k, n))
    valid = i[0] >= 0
    scores[i[0][valid]] = d[0][valid]
    return scores


def _inner_products(snap: IndexSnapshot, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """q · vector of each row, with FAISS's own kernel (the values its search returns)."""
    import faiss

    flat = snap.flat_vectors
    ids = np.ascontiguousarray(rows, dtype=np.int64)
    out = np.empty(ids.size, dtype=np.float32)
    faiss.fvec_inner_products_by_idx(faiss.swig_ptr(out), faiss.swig_ptr(q[0]), flat.get_xb(),
                                     faiss.swig_ptr(ids), flat.d, 1, ids.size)
    return out


@contextlib.contextmanager
def _one_omp_thread():
    """One question is one FAISS query: spreading it over OpenMP threads made it slower on
    this 2-core machine (17 → 9 ms p50 at 100k chunks, flat; the threads spin-wait for each
    other when other work shares the CPU). The setting is per calling thread (libgomp), so
    concurrent requests and index builds keep theirs."""
    import faiss

    prev = faiss.omp_get_max_threads()
    if prev != 1:
        faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        if prev != 1:
            faiss.omp_set_num_threads(prev)


def ranks_of(scores: np.ndarray, mask: np.ndarray | None, depth: int, positive_only: bool) -> np.ndarray:
    """Rank (0 = best) of each chunk within the top ``depth`` allowed ones; -1 otherwise.
    BM25 gives 0 to chunks sharing no term: those are not ranked at all (``positive_only``)."""
    s = scores.astype(np.float64, copy=True)
    if mask is not None:
        s[~mask] = -np.inf
    if positive_only:
        s[s <= 0] = -np.inf
    depth = min(depth, len(s))
    ranks = np.full(len(s), -1, dtype=np.int64)
    if depth == 0:
        return ranks
    top = np.argpartition(-s, depth - 1)[:depth]
    top = top[np.argsort(-s[top], kind="stable")]
    top = top[np.isfinite(s[top])]
    ranks[top] = np.arange(len(top))
    return ranks


def normalized(scores: np.ndarray, ranks: np.ndarray, floor_zero: bool) -> np.ndarray:
    """Min-max normalization over the ranked candidates (``ranks >= 0``), 0 elsewhere.

    The floor is the lowest candidate score, or 0 with ``floor_zero`` (BM25 when every
    chunk sharing a term is a candidate: the scores are then divided by the best one)."""
    cand = ranks >= 0
    out = np.zeros(len(scores))
    if not cand.any():
        return out
    s = scores[cand].astype(np.float64)
    hi, lo = s.max(), (0.0 if floor_zero else s.min())
    out[cand] = (s - lo) / (hi - lo) if hi > lo else 1.0
    return out


def hybrid_search(snap: IndexSnapshot, query: str, qvec: np.ndarray | None, k: int = 10,
                  weights: Weights | None = None, mask: np.ndarray | None = None,
                  folded_only: bool = False, depth: int = 100, methods: tuple[str, ...] = METHODS) -> list[Hit]:
    """Top-``k`` chunks by weighted fusion (normalized scores or reciprocal ranks) of the
    selected methods, each looking at its own top ``depth`` chunks."""
    w = weights or Weights()
    if w.fusion not in FUSIONS:
        raise ValueError(f"unknown fusion {w.fusion!r}; expected one of {FUSIONS}")
    n = len(snap.chunks)
    if n == 0:
        return []
    per: dict[str, np.ndarray] = {}
    if any(m.startswith("bm25") for m in methods):
        per.update({m: s for m, s in bm25_scores(snap, query, folded_only).items() if m in methods})
    if "dense" in methods and qvec is not None:
        per["dense"] = dense_scores(snap, qvec, depth, mask)
    fused = np.zeros(n)
    cand = np.zeros(n, dtype=bool)
    ranks = {}
    for m, s in per.items():
        positive = m != "dense"
        r = ranks_of(s, mask, depth, positive_only=positive)
        ranks[m] = r
        weight = w.method_weight(m, set(per))
        if weight <= 0:
            continue
        cand |= r >= 0
        if w.fusion == "rrf":
            fused += np.where(r >= 0, weight / (w.rrf_k + r + 1), 0.0)
        else:
            # BM25: all chunks sharing a term fit in the depth → floor 0 (divide by the best)
            fused += weight * normalized(s, r, floor_zero=positive and int((r >= 0).sum()) < depth)
    if mask is not None:
        cand &= mask
    # candidates only (a candidate may score 0: the floor of its only method), best first,
    # ties in row order
    rows = np.flatnonzero(cand)
    top = [int(i) for i in rows[np.argsort(-fused[rows], kind="stable")][:k]]
    return [_hit(snap, i, fused[i], per, ranks) for i in top]


def _hit(snap: IndexSnapshot, i: int, score: float, per: dict, ranks: dict) -> Hit:
    c = snap.chunks
    return Hit(row=i, chunk_id=c.ids[i], doc_id=c.doc_ids[i], kind=c.kinds[i], section_path=c.section_paths[i],
               heading=c.headings[i], text=c.texts[i], start=c.starts[i], end=c.ends[i], score=float(score),
               scores={m: float(s[i]) if np.isfinite(s[i]) else 0.0 for m, s in per.items()},
               ranks={m: int(r[i]) for m, r in ranks.items()})
