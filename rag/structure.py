"""Questions about a plan's structure rather than its content: the titles of its appendices
("Phụ lục 2 có tên gọi là gì", "kèm theo những phụ lục nào") and how many rows an appendix
or one group of its table holds ("Phụ lục 2 giao bao nhiêu nhiệm vụ", "nhóm nhiệm vụ … gồm
mấy nhiệm vụ"). Answered from the sections and table rows the index parsed, each claim cited
to the appendix heading or the rows counted.
"""
from __future__ import annotations

import re

from index import text as vt
from index.reader import IndexSnapshot
from rag.abstain import longest_run
from rag.query import Query, content_terms
from rag.types import Hit

# "Phụ lục 2 có tên (gọi) là gì", "kèm theo những phụ lục nào" — not "nhiệm vụ tại phụ lục
# nào", which asks where the text sends the reader, nor "trong các phụ lục, đơn vị nào …",
# which says where to look
_TITLE_Q = re.compile(r"\bten(?: goi| day du)? (?:cua (?:no|phu luc nay) )?(?:la )?gi\b|\btieu de\b"
                      r"|(?<!trong )(?<!tai )\b(?:nhung|cac|may|bao nhieu) phu luc\b"
                      r"|\bkem (?:theo )?phu luc (?:nao|gi)\b"
                      r"|\bphu luc danh muc gi\b")
_COUNT_Q = re.compile(r"\b(?:bao nhieu|may) (nhiem vu|noi dung|chi tieu)\b")
_ANCHOR = re.compile(r"\bphu luc\b|\bdanh muc\b|\bnhom\b|\bmuc [ivx]+\b|\bstt\b")
_NUMBER = re.compile(r"\bphu luc (\d+|[ivx]+)\b")
_GENERIC_HEAD = re.compile(r"^[\divx.]*\s*(nhom )?(cac )?(nhiem vu )?(ve )?")   # "I Nhóm nhiệm vụ về …"
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}


def structure_lines(snap: IndexSnapshot, q: Query, hits: list[Hit], cite) -> list[str]:
    """The answer lines of a structure question ([] when the question is not one, or the plan
    has no such appendix or rows: the usual answering goes on). ``cite(doc_id, start, end,
    section, score)`` returns the citation marker."""
    f = q.folded
    count = _COUNT_Q.search(f)
    if count and _ANCHOR.search(f):
        def lines_of(doc: str) -> list[str]:
            return _count_lines(snap, doc, q, count.group(1), cite)
    elif "phu luc" in f and _TITLE_Q.search(f) and not count:
        def lines_of(doc: str) -> list[str]:
            return _title_lines(snap, doc, f, cite)
    else:
        return []
    for doc in _plans(q, hits):        # the first plan that has what is asked about
        lines = lines_of(doc)
        if lines:
            return lines
    return []


def _plans(q: Query, hits: list[Hit]) -> list[str]:
    """The plans the question may be about, best first: those it names (as retrieval ranks
    them), else those retrieved."""
    ranked = list(dict.fromkeys(h.doc_id for h in hits if not q.scope or h.doc_id in q.scope))
    return ranked + [d for d in q.scope if d not in ranked]


def _asked_number(folded: str) -> str:
    m = _NUMBER.search(folded)
    return "" if m is None else _ROMAN.get(m.group(1), m.group(1))


def _appendices(snap: IndexSnapshot, doc: str) -> list[dict]:
    return [s for s in snap.sections(doc) if s.get("is_appendix") and len(s.get("path", [])) == 1]


def _title_lines(snap: IndexSnapshot, doc: str, folded: str, cite) -> list[str]:
    apps = _appendices(snap, doc)
    number = _asked_number(folded)
    if number:
        apps = [s for s in apps if s["path"][0] == f"PL{number}"]
    text = snap.document_text(doc)
    lines = []
    for s in apps:
        start = s["span"][0]
        end = _heading_end(text, start, s["heading"])
        m = re.match(r"(?i)\s*(phụ lục\s*(?:\d+|[IVX]+)?)\W*(.*)", s["heading"])
        label, title = (m.group(1), m.group(2)) if m else (s["heading"], "")
        ref = cite(doc, start, end, s["path"], 1.0)
        lines.append(f"{label[:1].upper()}{label[1:].lower()}: {title or label} {ref}")
    return lines


def _heading_end(text: str, start: int, heading: str) -> int:
    """Where the heading's lines end in the text (the index joins them with spaces)."""
    want = vt.compact(heading)
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        stop = len(text) if nl < 0 else nl
        if len(vt.compact(text[start:stop])) >= len(want):
            return stop
        pos = stop + 1
    return min(len(text), start + len(heading))


def _count_lines(snap: IndexSnapshot, doc: str, q: Query, noun: str, cite) -> list[str]:
    """"Phụ lục 2 có bao nhiêu nhiệm vụ", "nhóm … gồm mấy nhiệm vụ": the rows counted, in the
    numbered appendix, in the table group the question names, or in the plan's whole table.
    ``noun``: what is counted, folded ("nhiem vu", "noi dung", "chi tieu")."""
    rows = snap.indicators.get(doc, []) if noun == "chi tieu" else snap.tasks.get(doc, [])
    if not rows:
        return []
    rows, number, group = _in_part(q, rows, lambda r: r)
    if group:           # "Phụ lục 1 …, nhóm nhiệm vụ về lãnh đạo, chỉ đạo gồm mấy nhiệm vụ"
        where = group
    elif number:
        where = f"Phụ lục {number}"
    elif re.search(r"\bphu luc\b|\bdanh muc\b", q.folded):
        where = "Phụ lục" if any((r.get("section_path") or [""])[0].startswith("PL") for r in rows) else "Bảng"
    else:
        return []       # a group this plan's table does not have
    if not rows:
        return []
    word = {"nhiem vu": "nhiệm vụ", "noi dung": "nội dung", "chi tieu": "chỉ tiêu"}[noun]
    last = rows[-1]          # the last row counted: where the count ends
    ref = cite(doc, *last["span"], last.get("section_path") or [], 1.0)
    return [f"{where}: {len(rows)} {word} (dòng cuối {ref})"]


def in_named_part(q: Query, units: list) -> list:
    """The task units that lie in the appendix ("Phụ lục 2") and table group ("nhóm nhiệm vụ
    bảo đảm an ninh mạng") the question names; all of them when it names neither, or when
    none lies there."""
    keep, _, _ = _in_part(q, units, lambda u: u.record)
    return keep or units


def _in_part(q: Query, rows: list, record) -> tuple[list, str, str]:
    """The rows (``record(row)``: its cells) in the numbered appendix and the table group the
    question names, with that number and group ("" for none named)."""
    number = _asked_number(q.folded)
    if number:
        rows = [r for r in rows if (record(r).get("section_path") or [""])[0] == f"PL{number}"]
    group = _named_group(q, [record(r) for r in rows])
    if group:
        rows = [r for r in rows if (record(r).get("group") or "").startswith(group)]
    return rows, number, group


def _named_group(q: Query, rows: list[dict]) -> str:
    """The table group ("VI Nhóm nhiệm vụ bảo đảm an ninh mạng …", "V Chuyển đổi số > 5.2 Dữ
    liệu số") the question names: by its numeral ("mục VI", "nhóm V"), by a run of 4+ words of
    its title, or by most of its words."""
    groups = list(dict.fromkeys(g for r in rows for g in _group_levels(r.get("group") or "")))
    m = re.search(r"\b(?:muc|nhom|phan) ([ivx]+)\b", q.folded)
    if m:
        by_numeral = [g for g in groups if " > " not in g and vt.fold(g).lower().split()[:1] == [m.group(1)]]
        if by_numeral:
            return by_numeral[0]
    words = vt.syllables(q.folded)
    runs = {g: longest_run(words, _GENERIC_HEAD.sub("", vt.fold(g.split(" > ")[-1]).lower())) for g in groups}
    longest = max(runs.values(), default=0)
    if longest >= 4:        # "mục công tác lãnh đạo, chỉ đạo, nâng cao nhận thức": its title's opening words
        return max((g for g in groups if runs[g] == longest), key=len)
    asked = set(q.terms)
    best, best_share = "", 0.0
    for g in groups:
        title = {w for w in content_terms(vt.fold(g).lower()) if not re.fullmatch(r"[ivx]+|[\d.]+", w)}
        share = len(title & asked) / len(title) if title else 0.0
        if share > best_share + 1e-9 or (share >= best_share - 1e-9 and len(g) > len(best) and share > 0):
            best, best_share = g, share
    return best if best_share >= 0.6 else ""


def _group_levels(group: str) -> list[str]:
    """"V Chuyển đổi số > 5.2 Dữ liệu số" → ["V Chuyển đổi số", "V Chuyển đổi số > 5.2 Dữ liệu số"]."""
    parts = group.split(" > ")
    return [" > ".join(parts[:i + 1]) for i in range(len(parts)) if group]
