"""Evidence units and how well each one answers the question.

Retrieved chunks are opened into *units*: a task row, an indicator row or one sentence.
A unit's match is the IDF-weighted share of the question's content terms (and adjacent
term pairs) it contains, on accent-folded text; the retrieval rank adds a small prior. Its
toned match reads a question typed with accents with its tones: a term the unit has only
as another word of the same letters ("quy trình" for "quỹ") counts part.
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
    toned_match: float | None = None    # the match read with the question's tones (≤ match)
    score: float = 0.0

    @property
    def typed_match(self) -> float:
        """The match as typed: the toned match where there is one."""
        return self.match if self.toned_match is None else min(self.match, self.toned_match)


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


# what a term counts when the text has its letters only as another word ("quy trình" for "quỹ")
OTHER_WORD_WEIGHT = 0.5
# function words whose letters content words share ("cùng" beside "cung cấp", "để" beside "đề án"),
# and "phần" of "phần trăm", which a text writes "%": typed, they are no content to check
_TONED_FUNCTION = {vt.toned(w) for w in (
    "cùng cũng với vào để là có các của những được đã sẽ đang này nào thì mà từ theo trong ngoài cho về "
    "ra lên hay hoặc không chưa đến tới bao mấy gì ai phần").split()}


class Matcher:
    """IDF-weighted coverage of the question's terms by a unit's text."""

    def __init__(self, snap: IndexSnapshot, q: Query):
        self.q = q
        self.terms = list(dict.fromkeys(q.terms))
        self.weights = {t: snap.idf(t) for t in self.terms}
        self.total = sum(self.weights.values()) or 1.0
        content = set(self.terms)
        self.pairs = [b for b in dict.fromkeys(q.bigrams) if set(b.split("_")) <= content]
        # typed with accents, "quỹ" is not "quy" (trình): a term met only as another word of the
        # same letters counts part (the question's own syllables; expansions and repairs are not checked)
        self.toned: dict[str, set[str]] = {}
        typed = q.typed or q.text
        if q.toned:
            for s in vt.syllables(typed):
                if vt.fold(s) in content and vt.toned(s) not in _TONED_FUNCTION:
                    self.toned.setdefault(vt.fold(s), set()).add(vt.toned(s))

    def _misspelt(self, term: str, pairs: frozenset[str], tones: frozenset[str]) -> bool:
        """The term's word stands in the text with the term's neighbour beside it, the neighbour
        spelt as typed ("Đề án Chuyên đổi số" of a scan for "Chuyển đổi"): one word, mis-accented."""
        for p in self.pairs:
            a, b = p.split("_")
            other = b if a == term else a if b == term else None
            if other is not None and p in pairs and (other not in self.toned or self.toned[other] & tones):
                return True
        return False

    def coverage(self, text: str, toned: bool = False) -> float:
        """``toned``: a term the text has only as another word counts ``OTHER_WORD_WEIGHT``."""
        have, pairs = _terms_of(text)
        if toned and self.toned:
            tones = _tones_of(text)
            uni = sum(w if t not in self.toned or self.toned[t] & tones or self._misspelt(t, pairs, tones)
                      else w * OTHER_WORD_WEIGHT for t, w in self.weights.items() if t in have) / self.total
        else:
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
def _tones_of(text: str) -> frozenset[str]:
    """A unit's syllables keyed by letters and tone (see ``vt.toned``)."""
    return frozenset(vt.toned(s) for s in vt.syllables(text))


@lru_cache(maxsize=32768)
def _terms_of(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Folded syllables and adjacent syllable pairs of a unit's text. Cached: the same task
    rows, sentences and headings are scored again for every question about their plan."""
    syl = vt.syllables(vt.expand_abbreviations(vt.fold(text)))
    # a code's leading parts too: "179/2024/nđ-cp" holds "179/2024" and "179" (a question's "NĐ 179/2024")
    heads = {t[:m.start()] for t in syl for m in re.finditer(r"[/-]", t)}
    return frozenset(syl) | heads, frozenset(f"{a}_{b}" for a, b in zip(syl, syl[1:]))


# a part of a plan every plan has, named as where the answer is ("Theo phần Yêu cầu …", "Trong
# phần tổ chức thực hiện …")
_NAMED_SECTION = re.compile(r"\b(?:theo|tai|trong|o|thuoc) (?:phan |muc |noi dung )?(muc dich|yeu cau|quan diem"
                            r"|to chuc thuc hien|muc tieu chung|muc tieu cu the|kinh phi thuc hien)\b")
# a question that says where its answer is: a numbered part ("Tại mục III.2 …") or a named one
_LOCATES = re.compile(rf"\b(?:muc|phan|tieu muc|nhom|chuong|dieu)\s+(?:[ivx]+|\d+)(?:\.\d+)*\b"
                      rf"|{_NAMED_SECTION.pattern}")


def in_named_section(q: Query, units: list[Unit]) -> list[Unit]:
    """The units under the part of the plan the question names, if it names one and any are
    there (a sentence's heading path holds its section's title); else all of them."""
    m = _NAMED_SECTION.search(q.folded)
    if not m:
        return units
    inside = [u for u in units if u.heading and m.group(1) in vt.fold(u.heading).lower()]
    return inside or units


def score_units(snap: IndexSnapshot, q: Query, units: list[Unit], heading_weight: float = 0.35) -> list[Unit]:
    """Fill ``match`` (question coverage), ``toned_match`` (the same, read with the question's
    tones) and ``score`` (the match as typed plus a small rank prior: typed with accents, "Cổng
    Thông tin điện tử" ranks a row on it above one on "mạng thông tin diện rộng")."""
    m = Matcher(snap, q)
    locates = _LOCATES.search(q.folded)

    def fit(u: Unit, toned: bool) -> float:
        # an indicator row is named by its name and its unit column ("% tổng chi NSNN")
        own = m.coverage(f"{u.text} {u.record.get('unit', '')}" if u.kind == "indicator" else u.text, toned)
        ctx = m.coverage(u.heading, toned) if u.heading else 0.0
        match = max(own, (1 - heading_weight) * own + heading_weight * ctx)
        if u.heading and locates:       # "Tại mục III.2 «…» của Kế hoạch …": the question names the
            match = max(match, m.coverage(f"{u.heading} {u.text}", toned))     # section it is in
        return match

    for u in units:
        u.match = fit(u, False)
        u.toned_match = fit(u, True) if m.toned else None
        u.score = u.typed_match + 0.04 / (1 + u.hit_rank)
        if u.kind == "sentence" and re.search(r"\d", u.text) and "number" in q.intents:
            u.score += 0.05
    return sorted(units, key=lambda u: -u.score)
