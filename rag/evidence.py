"""Evidence units and how well each one answers the question.

Retrieved chunks are opened into *units*: a task row, an indicator row or one sentence.
A unit's match is the IDF-weighted share of the question's content terms (and adjacent
term pairs) it contains, on accent-folded text; the retrieval rank adds a small prior.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index import text as vt
from index.reader import IndexSnapshot
from rag.query import Query
from rag.types import Hit


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
            body = " ".join([t.get("group", ""), t.get("content", ""), t.get("expected_result", "")])
            units.append(Unit("task", h.doc_id, h.start, h.end, body, h.section_path, h.heading, t, rank, h.score))
        elif h.kind == "indicator" and snap.chunks.indicator_index[row] is not None:
            ind = snap.indicators[h.doc_id][snap.chunks.indicator_index[row]]
            key = ("ind", h.doc_id, ind["span"][0])
            units.append(Unit("indicator", h.doc_id, h.start, h.end, ind.get("name", ""), h.section_path,
                              h.heading, ind, rank, h.score))
        else:
            key = ("chunk", h.chunk_id)
            for s, e in vt.sentences(h.text, offset=h.start):
                sent = h.text[s - h.start:e - h.start]
                if len(vt.syllables(sent)) < 3:
                    continue
                units.append(Unit("sentence" if h.kind == "text" else "meta", h.doc_id, s, e, sent,
                                  h.section_path, h.heading, {}, rank, h.score))
        seen.add(key)
    return units


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
        syl = vt.syllables(vt.fold(text))
        have = set(syl)
        uni = sum(w for t, w in self.weights.items() if t in have) / self.total
        if not self.pairs:
            return uni
        pairs = {f"{a}_{b}" for a, b in zip(syl, syl[1:])}
        bi = sum(1 for p in self.pairs if p in pairs) / len(self.pairs)
        return 0.7 * uni + 0.3 * bi


def score_units(snap: IndexSnapshot, q: Query, units: list[Unit], heading_weight: float = 0.35) -> list[Unit]:
    """Fill ``match`` (question coverage) and ``score`` (match plus a small rank prior)."""
    m = Matcher(snap, q)
    for u in units:
        own = m.coverage(u.text)
        ctx = m.coverage(u.heading) if u.heading else 0.0
        u.match = max(own, (1 - heading_weight) * own + heading_weight * ctx)
        u.score = u.match + 0.08 / (1 + u.hit_rank)
        if u.kind == "sentence" and re.search(r"\d", u.text) and "number" in q.intents:
            u.score += 0.05
    return sorted(units, key=lambda u: -u.score)
