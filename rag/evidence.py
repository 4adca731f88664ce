"""Evidence units and how well each one answers the question.

Retrieved chunks are opened into *units*: a task row, an indicator row or one sentence.
A unit's match is the IDF-weighted share of the question's content terms (and adjacent
term pairs) it contains, on accent-folded text; the retrieval rank adds a small prior.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index import text as vt
from index.reader import IndexSnapshot
from rag.query import Query
from rag.types import Hit


# a duty written without its subject ("- Chủ trì rà soát …", "- Là cơ quan thường trực …"): the
# section heading above it, if any, names who
SUBJECTLESS = re.compile(r"\W{0,3}(?:Là|Chủ trì|Phối hợp|Tham mưu)\b")


@dataclass
class Unit:
    kind: str                 # task | indicator | sentence | meta
    doc_id: str
    start: int
    end: int
    text: str                 # what is matched (task: content + group + result)
    section_path: list[str]
    heading: str = ""
    record: dict = field(default_factory=dict)     # the Task/Indicator as stored
    hit_rank: int = 0
    hit_score: float = 0.0
    match: float = 0.0
    score: float = 0.0


def units_from_hits(snap: IndexSnapshot, hits: list[Hit]) -> list[Unit]:
    units: list[Unit] = []
    seen: set[tuple] = set()
    for rank, h in enumerate(hits):
        row = h.row
        if h.kind == "task" and snap.chunks.task_index[row] is not None:
            t = snap.tasks[h.doc_id][snap.chunks.task_index[row]]
            key = ("task", h.doc_id, t["span"][0])
            if key in seen:
                continue
            body = " ".join([t.get("group", ""), t.get("content", ""), t.get("expected_result", "")])
            units.append(Unit("task", h.doc_id, h.start, h.end, body, h.section_path, h.heading, t, rank, h.score))
        elif h.kind == "indicator" and snap.chunks.indicator_index[row] is not None:
            ind = snap.indicators[h.doc_id][snap.chunks.indicator_index[row]]
            key = ("indicator", h.doc_id, ind["span"][0])
            if key in seen:
                continue
            units.append(Unit("indicator", h.doc_id, h.start, h.end, ind.get("name", ""), h.section_path,
                              h.heading, ind, rank, h.score))
        else:
            key = ("chunk", h.chunk_id)
            for s, e in _merged_sentences(h.text, h.start):
                sent = h.text[s - h.start:e - h.start]
                if len(vt.syllables(sent)) < 3:
                    continue
                units.append(Unit("sentence" if h.kind == "text" else "meta", h.doc_id, s, e, sent,
                                  h.section_path, h.heading, {}, rank, h.score))
        seen.add(key)
    return units


def _merged_sentences(text: str, offset: int, short: int = 10) -> list[tuple[int, int]]:
    """Sentence spans, a short heading-like line joined to the sentence after it
    ("b) Tầm nhìn đến năm 2045" alone answers nothing)."""
    spans = vt.sentences(text, offset=offset)
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in spans:
        start = pending if pending is not None else s
        piece = text[s - offset:e - offset]
        if len(vt.syllables(piece)) < short and not piece.rstrip().endswith((".", ";")):
            pending = start
            continue
        out.append((start, e))
        pending = None
    if pending is not None:
        out.append((pending, spans[-1][1]))
    return out


def candidate_docs(q: Query, hits: list[Hit], n: int = 3) -> list[str]:
    """Plans worth scanning row by row: the named ones, else those of the top hits."""
    return q.scope or list(dict.fromkeys(h.doc_id for h in hits))[:n]


def table_units(snap: IndexSnapshot, doc_ids: list[str], have: list[Unit]) -> list[Unit]:
    """Every task and indicator row of the given plans not already among ``have``:
    retrieval may miss a row that lexical matching on its fields finds."""
    seen = {(u.kind, u.doc_id, u.record.get("span", [None])[0]) for u in have if u.record}
    out = []
    rank = len(have)
    for d in doc_ids:
        for t in snap.tasks.get(d, []):
            if ("task", d, t["span"][0]) not in seen:
                body = " ".join([t.get("group", ""), t.get("content", ""), t.get("expected_result", "")])
                out.append(Unit("task", d, t["span"][0], t["span"][1], body, t.get("section_path", []), "", t, rank))
        for ind in snap.indicators.get(d, []):
            if ("indicator", d, ind["span"][0]) not in seen:
                out.append(Unit("indicator", d, ind["span"][0], ind["span"][1], ind.get("name", ""),
                                ind.get("section_path", []), "", ind, rank))
    return out


class Matcher:
    """IDF-weighted coverage of the question's terms by a unit's text."""

    def __init__(self, snap: IndexSnapshot, q: Query):
        self.q = q
        self.terms = list(dict.fromkeys(q.terms))
        self.weights = {t: snap.idf(t) for t in self.terms}
        self.total = sum(self.weights.values()) or 1.0
        content = set(self.terms)
        self.pairs = [b for b in dict.fromkeys(q.bigrams) if set(b.split("_")) <= content]

    def coverage(self, text: str) -> float:
        have, pairs = _terms_of(text)
        uni = sum(w for t, w in self.weights.items() if t in have) / self.total
        if not self.pairs:
            return uni
        bi = sum(1 for p in self.pairs if p in pairs) / len(self.pairs)
        if not bi and len(self.terms) == 2:
            # one two-syllable word is the whole topic ("tổng kết"): its syllables apart ("tổng hợp
            # … kết quả") count half
            return 0.35 * uni
        return 0.7 * uni + 0.3 * bi


@lru_cache(maxsize=32768)
def _terms_of(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Folded syllables and adjacent syllable pairs of a unit's text. Cached: the same task
    rows, sentences and headings are scored again for every question about their plan."""
    syl = vt.syllables(vt.expand_abbreviations(vt.fold(text)))
    # a code's leading parts too: "179/2024/nđ-cp" holds "179/2024" and "179" (a question's "NĐ 179/2024")
    heads = {t[:m.start()] for t in syl for m in re.finditer(r"[/-]", t)}
    return frozenset(syl) | heads, frozenset(f"{a}_{b}" for a, b in zip(syl, syl[1:]))


_LOCATES = re.compile(r"\b(?:muc|phan|tieu muc|nhom|chuong|dieu)\s+(?:[ivx]+|\d+)(?:\.\d+)*\b"
                      r"|\b(?:theo|tai|trong|o) (?:phan |muc )?(?:muc dich|yeu cau|quan diem|to chuc thuc hien)\b")


def score_units(snap: IndexSnapshot, q: Query, units: list[Unit], heading_weight: float = 0.35) -> list[Unit]:
    """Fill ``match`` (question coverage) and ``score`` (match plus a small rank prior)."""
    m = Matcher(snap, q)
    for u in units:
        # an indicator row is named by its name and its unit column ("% tổng chi NSNN")
        own = m.coverage(f"{u.text} {u.record.get('unit', '')}" if u.kind == "indicator" else u.text)
        ctx = m.coverage(u.heading) if u.heading else 0.0
        u.match = max(own, (1 - heading_weight) * own + heading_weight * ctx)
        if u.heading and _LOCATES.search(q.folded):     # "Tại mục III.2 «…» của Kế hoạch …": the question
            u.match = max(u.match, m.coverage(f"{u.heading} {u.text}"))     # names the section it is in
        u.score = u.match + 0.04 / (1 + u.hit_rank)
        if u.kind == "sentence" and re.search(r"\d", u.text) and "number" in q.intents:
            u.score += 0.05
    return sorted(units, key=lambda u: -u.score)
