"""Retrieval chunks of one parsed document.

Four kinds (see :data:`index.models.CHUNK_KINDS`):

- ``meta``: the header (type, number, date, issuer, trích yếu) and the closing (signer,
  Nơi nhận), so "who signed / which number" questions have a passage to cite;
- ``task`` / ``indicator``: one chunk per appendix row, because a row is the unit a
  who/when/how-much answer cites;
- ``text``: the rest, sentence groups of at most ~90 words that never cross a section
  boundary and never repeat a passage another chunk already covers.

Every chunk's ``text`` is exactly ``parsed.text[start:end]``, so a quote can always be
highlighted in the source view.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from index.models import Chunk, Document, ParsedDocument, Section
from index.text import compact, sentences

MAX_WORDS = 90           # a group of sentences stays under this
SPLIT_WORDS = 150        # a single longer sentence is cut into pieces of this size
MIN_WORDS = 10           # a heading this short never makes a chunk of its own
HEADER_FIELDS = ("doc_type", "number", "date", "place", "issuer", "parent_issuer", "title")
CLOSING_FIELDS = ("signer_role", "signer", "recipients")
_MAX_META_CHARS = 2500
_MAX_META_GAP = 300
_WORD = re.compile(r"\S+")



class Piece(NamedTuple):
    start: int
    end: int
    kind: str
    path: list[str]
    heading: str
    task_index: int | None = None
    indicator_index: int | None = None


def make_chunks(parsed: ParsedDocument) -> list[Chunk]:
    """All chunks of ``parsed`` in document order, ids ``"<doc_id>#<n>"``."""
    text, doc = parsed.text, parsed.document
    short = short_title(doc)
    headings = _heading_chains(parsed.sections)
    pieces: list[Piece] = []
    blocked: list[tuple[int, int]] = []
    first_section = parsed.sections[0].span[0] if parsed.sections else len(text)
    for fields, limit in ((HEADER_FIELDS, first_section), (CLOSING_FIELDS, len(text))):
        span = _meta_span(text, doc, fields, limit, blocked)
        if span:
            pieces.append(Piece(*span, "meta", [], short))
            blocked.append(span)
    for i, task in enumerate(parsed.tasks):
        span = _valid(task.span, len(text))
        if span:
            chain = headings.get(tuple(task.section_path), [])
            pieces.append(Piece(*span, "task", list(task.section_path), _join(short, *chain, task.group), i))
            blocked.append(span)
    for i, ind in enumerate(parsed.indicators):
        span = _valid(ind.span, len(text))
        if span:
            chain = headings.get(tuple(ind.section_path), [])
            pieces.append(Piece(*span, "indicator", list(ind.section_path), _join(short, *chain), None, i))
            blocked.append(span)
    pieces += _text_pieces(text, parsed.sections, blocked, short, headings)
    pieces.sort(key=lambda p: (p.start, p.end))
    return [Chunk(id=f"{doc.id}#{n}", doc_id=doc.id, section_path=p.path, kind=p.kind, text=text[p.start:p.end],
                  span=(p.start, p.end), heading=p.heading, task_index=p.task_index,
                  indicator_index=p.indicator_index)
            for n, p in enumerate(pieces)]


def short_title(doc: Document) -> str:
    """"Kế hoạch 3469/KH-SNV", or type + issuer + first words of the title when the number
    is blank (drafts: "/KH-VPUB" names no document)."""
    kind = doc.doc_type or "Văn bản"
    if re.match(r"\d", doc.number):
        return f"{kind} {doc.number}"
    words = doc.title.split()
    about = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return " ".join(p for p in (kind, doc.issuer) if p) + (f": {about}" if about else "")


# ---------------------------------------------------------------- meta

def _valid(span, n: int) -> tuple[int, int] | None:
    try:
        s, e = int(span[0]), int(span[1])
    except (TypeError, ValueError, IndexError):
        return None
    s, e = max(0, s), min(n, e)
    return (s, e) if s < e else None


def _meta_span(text: str, doc: Document, fields, limit: int, blocked) -> tuple[int, int] | None:
    """Whole lines holding the fields read from this text (not from a duplicate or the
    catalog). A field far from the others (an issuer named in the opening paragraph) stays
    in the text chunks, so the meta chunk is the letterhead, not a page."""
    n = len(text)
    found = (_valid(doc.field_spans.get(f) or (), n) for f in fields if f not in doc.field_origin)
    spans = sorted(s for s in found if s and s[0] < limit)
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:]:
        if s - end <= _MAX_META_GAP and e - start <= _MAX_META_CHARS:
            end = max(end, e)
    start = text.rfind("\n", 0, start) + 1
    end = n if text.find("\n", end) < 0 else text.find("\n", end)
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or any(s < end and start < e for s, e in blocked):
        return None
    return start, end


# ---------------------------------------------------------------- text

def _heading_chains(sections: list[Section]) -> dict[tuple[str, ...], list[str]]:
    """Section path -> headings from the root ("III. NHIỆM VỤ…", "1. Công tác…")."""
    chains: dict[tuple[str, ...], list[str]] = {}
    stack: list[str] = []
    for s in sections:
        stack = stack[:s.level - 1] + [_clip(s.heading)]
        chains.setdefault(tuple(s.path), list(stack))
    return chains


def _clip(heading: str, words: int = 12) -> str:
    w = heading.split()
    return " ".join(w[:words]) + ("…" if len(w) > words else "")


def _join(*parts: str) -> str:
    return " › ".join(p for p in parts if p)


def _own_ranges(text: str, sections: list[Section]) -> list[tuple[int, int, list[str], tuple]]:
    """(start, end, path, path key) of the text that belongs to each section itself (up to its
    first subsection), plus the preamble before the first section."""
    out = [(0, sections[0].span[0] if sections else len(text), [], ())]
    for i, s in enumerate(sections):
        end = s.span[1]
        if i + 1 < len(sections) and sections[i + 1].span[0] < end:
            end = sections[i + 1].span[0]
            if len(text[s.span[0]:end].split()) < MIN_WORDS:
                continue        # only "II. MỤC TIÊU": every subsection chunk carries it in its heading
        out.append((s.span[0], end, list(s.path), tuple(s.path)))
    return out


def _subtract(start: int, end: int, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    parts = [(start, end)]
    for bs, be in blocked:
        parts = [q for a, b in parts for q in ((a, min(b, bs)), (max(a, be), b)) if q[0] < q[1]]
    return parts


def _text_pieces(text, sections, blocked, short, headings) -> list[Piece]:
    pieces, seen = [], set()
    for start, end, path, key in _own_ranges(text, sections):
        heading = _join(short, *headings.get(key, []))
        for a, b in _subtract(start, end, blocked):
            for s, e in _group(text, sentences(text[a:b], offset=a)):
                body = compact(text[s:e])
                # repeated table headers at page breaks, separator rows: nothing to retrieve
                if not any(c.isalnum() for c in body) or body in seen:
                    continue
                seen.add(body)
                pieces.append(Piece(s, e, "text", path, heading))
    return pieces


def _group(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Consecutive sentences joined up to MAX_WORDS; a longer sentence stands alone, cut
    into pieces of at most SPLIT_WORDS. A heading or an item number ("2.") shorter than
    MIN_WORDS always stays with the sentence after it."""
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    cur_words = 0
    for s, e in spans:
        n = len(text[s:e].split())
        small = cur is not None and cur_words < MIN_WORDS
        if cur and (cur_words + n <= MAX_WORDS or (small and n <= MAX_WORDS)):
            cur, cur_words = (cur[0], e), cur_words + n
            continue
        if n > MAX_WORDS:
            pieces = _split_long(text, s, e)
            if small:
                pieces[0] = (cur[0], pieces[0][1])
            elif cur:
                out.append(cur)
            out += pieces
            cur, cur_words = None, 0
        else:
            if cur:
                out.append(cur)
            cur, cur_words = (s, e), n
    if cur:
        out.append(cur)
    return out


def _split_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    words = [(m.start() + s, m.end() + s) for m in _WORD.finditer(text[s:e])]
    parts = -(-len(words) // SPLIT_WORDS)           # equal pieces: no 3-word tail chunk
    if parts <= 1:
        return [(s, e)]
    size = -(-len(words) // parts)
    return [(words[i][0], words[min(i + size, len(words)) - 1][1]) for i in range(0, len(words), size)]
