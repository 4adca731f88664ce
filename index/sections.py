"""The section tree of a normalized plan: numbered headings and appendices, with spans.

Plans number their parts I. / II. → 1. → 1.1. → a), resolutions use Điều 1., and the
assignments live in appendices (PHỤ LỤC, Phụ lục 1, Phụ lục II). Real documents repeat or skip
numbers and put "1.1." under "2.", so the tree is built from the *kind* of numbering (its
rank), never from the numbers' values. Bullets (-, +) and anything inside a table are never
sections: table rows carry tabs or pipes, and once an appendix shows a table header
(STT/TT) its numbered lines are task rows, which :mod:`index.tables` reads.
"""
from __future__ import annotations

import re

from index.header import is_role_line
from index.models import Section
from index.text import fold

# rank of each numbering kind: a heading closes every open heading of the same or a higher rank
RANK_APPENDIX, RANK_PART, RANK_ROMAN, RANK_ARABIC, RANK_LETTER = 0, 1, 2, 3, 9
_RANK_MARKDOWN = {1: 0.6, 2: 0.7, 3: 0.8}

_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{1,3}|V)|X{1,3}"
_RX_ROMAN = re.compile(rf"({_ROMAN})\s*[.\-–:)]\s*(?=\S)")
_RX_DOTTED = re.compile(r"(\d{1,2}(?:\.\d{1,2}){1,3})\s*[.)\-–]?\s+(?=\S)")
# "1. Mục đích", "2) …", and the party style "4- Ban Tuyên giáo…" (a letter must follow the dash,
# so "20 - 30%" is not a heading)
_RX_ARABIC = re.compile(r"(\d{1,2})\s*(?:[.)](?!\d)\s*|[-–]\s+(?=[^\W\d_]))(?=\S)")
_RX_LETTER = re.compile(r"([a-zđ])\s*\)\s*(?=\S)")
_RX_PART = re.compile(r"([A-H])\s*[.)\-–]\s+(?=\S)")
_RX_WORD = re.compile(r"(điều|phần|chương|mục)\s+(\d{1,3}|(?-i:[IVX]{1,5})|thứ\s+\w+)\s*[.:]?\s*", re.I)
_RX_APPENDIX = re.compile(r"phụ\s*lục\s*(\d{1,2}|(?-i:[IVX]{1,5})(?![a-zà-ỹđ]))?(?![a-zà-ỹđ])", re.I)
_TABLE_HEADER = re.compile(r"(?:stt|tt)\b(?:\s*$|\s+(?:chi tiet|noi dung|nhiem vu|ten|chi tieu|cac chuong trinh))")
_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+")
_MAX_HEADING = 160


def build_sections(text: str) -> list[Section]:
    """Sections of ``text`` in document order; ``path`` holds the numbering tokens from the root
    (["III", "1", "1.2"], ["PL1"]), ``level`` is the depth, and a section's span runs from its
    heading to the next heading of the same or a higher level."""
    heads = _headings(text)
    sections: list[Section] = []
    stack: list[tuple[float, str, int]] = []          # (rank, token, index in sections)
    for start, rank, token, heading in heads:
        while stack and stack[-1][0] >= rank:
            _close(sections, stack.pop()[2], start)
        path = [t for _, t, _ in stack] + [token]
        sections.append(Section(id=f"s{len(sections) + 1}", path=path, heading=heading,
                                span=(start, len(text)), level=len(path),
                                is_appendix=path[0].startswith("PL")))
        stack.append((rank, token, len(sections) - 1))
    return sections


def _close(sections: list[Section], i: int, end: int) -> None:
    s = sections[i]
    s.span = (s.span[0], max(s.span[0], end))


def _headings(text: str) -> list[tuple[int, float, str, str]]:
    """(start, rank, token, heading text) for every heading line."""
    out = []
    numbered_seen = in_appendix = table_mode = False
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        line_start, line = pos, text[pos:end]
        pos = end + 1
        if not line.strip() or "\t" in line or "|" in line:
            table_mode = table_mode or (in_appendix and ("\t" in line or "|" in line))
            continue
        s = line_start + len(line) - len(line.lstrip(" #*>"))
        content = text[s:end].rstrip()
        hit = _classify(content, line, numbered_seen, in_appendix)
        if hit is None:
            table_mode = table_mode or (in_appendix and bool(_TABLE_HEADER.match(fold(content))))
            continue
        rank, token, heading_end = hit[0], hit[1], s + hit[2]
        if rank == RANK_APPENDIX:
            in_appendix, table_mode = True, False
            heading_end, pos = _appendix_title(text, heading_end, pos)
        elif table_mode and not (rank == RANK_ROMAN and _is_upper(content)):
            continue                  # a numbered row of a table, not a heading
        elif table_mode:
            table_mode = False
        numbered_seen = True
        out.append((s, rank, token, _heading_text(text[s:heading_end])))
    return out


def _classify(content: str, line: str, numbered_seen: bool, in_appendix: bool):
    """(rank, token, heading length) when ``content`` is a heading line, else None."""
    if content[:1] in "-+•*–":
        return None
    m = _RX_APPENDIX.match(content)
    if m and (_is_upper(content[:7]) or not content[m.end():].strip() or
              _is_upper(content[m.end():].strip()[:12])):
        n = m.group(1) or ""
        token = "PL" + (str(_roman_value(n)) if n and not n.isdigit() else n)
        return RANK_APPENDIX, token, len(content)
    for rx, rank in ((_RX_DOTTED, None), (_RX_ROMAN, RANK_ROMAN), (_RX_ARABIC, RANK_ARABIC),
                     (_RX_LETTER, RANK_LETTER), (_RX_PART, RANK_PART)):
        m = rx.match(content)
        # the heading text starts with a capital ("1. Mục đích"); "a)" items may not
        if m and (rx is _RX_LETTER or _starts_upper(content, m.end())):
            token = m.group(1)
            if rank is None:                            # 1.1 → one below 1., 1.1.1 → two below
                rank = RANK_ARABIC + token.count(".")
            return rank, token, len(content)
    m = _RX_WORD.match(content)
    if m and (m.end() == len(content) or _starts_upper(content, m.end())):
        word = m.group(1).capitalize()
        return (RANK_ROMAN if word == "Điều" else RANK_PART), f"{word} {m.group(2)}", len(content)
    if numbered_seen and not in_appendix:
        return _unnumbered(content, line)
    return None


def _unnumbered(content: str, line: str):
    """Markdown headings and stand-alone upper-case lines ("QUYẾT NGHỊ:") after the body started."""
    m = _MARKDOWN_HEADING.match(line.lstrip())
    if m:
        return _RANK_MARKDOWN.get(len(m.group(1)), 0.9), _short_token(content), len(content)
    words = content.split()
    # the signature block is upper-case too ("KT. CHÁNH VĂN PHÒNG", "GIÁM ĐỐC"): not a heading
    if (2 <= len(words) <= 20 and _is_upper(content) and not content.rstrip().endswith((",", ";"))
            and not is_role_line(content)):
        return RANK_PART, _short_token(content), len(content)
    return None


def _appendix_title(text: str, heading_end: int, pos: int) -> tuple[int, int]:
    """Extend an appendix heading over the upper-case title lines right after it
    ("PHỤ LỤC 1" / "DANH MỤC CÁC CHỈ TIÊU CỤ THỂ"), so they are not taken for sections."""
    end = heading_end
    while pos < len(text):
        nl = text.find("\n", pos)
        stop = len(text) if nl < 0 else nl
        line = text[pos:stop].strip(" #*")
        if line and (not _is_upper(line) or "\t" in line or "|" in line or len(line.split()) < 2):
            break
        if line:
            end = stop
        pos = stop + 1
        if text[end:pos].count("\n") > 3:
            break
    return end, (end + 1 if end > heading_end else pos)


def _starts_upper(s: str, pos: int) -> bool:
    """Whether the text at ``pos`` starts with a capital or a digit (after an opening quote)."""
    ch = s[pos + 1:pos + 2] if s[pos:pos + 1] in "\"“(" else s[pos:pos + 1]
    return ch.isupper() or ch.isdigit()


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _roman_value(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        total += -vals[a] if vals.get(b, 0) > vals[a] else vals[a]
    return total


def _short_token(content: str) -> str:
    words = content.strip(" :#").split()
    return " ".join(words[:4]) + ("…" if len(words) > 4 else "")


def _heading_text(raw: str) -> str:
    """One-line heading, cut at a word boundary: a numbered paragraph can be long."""
    line = re.sub(r"\s+", " ", raw).strip()
    if len(line) <= _MAX_HEADING:
        return line
    cut = line.rfind(" ", 0, _MAX_HEADING)
    return line[:cut if cut > 40 else _MAX_HEADING] + "…"
