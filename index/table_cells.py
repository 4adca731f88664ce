"""Cells that PDF extraction ran together, recovered with general knowledge of Vietnamese
administrative writing (nothing here names a particular plan, unit or task).

- Unit names start with a unit word written with a capital: UBND, Ủy ban, Phòng,
  Văn phòng, VP, Sở, Ban, Các…, Trung tâm, Công an, Hội, Đoàn, Tổ, Cổng, Trường, CV…
  A unit word right after a comma, a semicolon, a hyphen, "và"/"của"/"thuộc" or another
  unit word continues the same name or list ("VP HĐND-UBND", "Các ban, ngành, CV xã",
  "Văn phòng Sở").
- A deadline starts with a year, Năm, Quý, Tháng, Thường xuyên, Hằng/Hàng năm, Cả năm,
  Khi…, Sau khi…, Kế hoạch công tác…, Triển khai theo… and runs to the end of the cells.
- Unit phrases fill the unit columns in header order (chủ trì, thực hiện chính, phối hợp);
  a collective phrase ("Các ban, ngành…") is the usual partner list.
"""
from __future__ import annotations

import re

from index.table_labels import join_piece
from index.text import fold, has_diacritics

_UNIT_START = re.compile(
    r"(?<![\w\-–])(?:UBND|UB|Ủy ban|Uỷ ban|Uy ban|Văn phòng|Van phong|VP|Phòng|Phong|Sở|Ban|Các|Cac"
    r"|Trung tâm|Trung tam|Công an|Cong an|Công đoàn|Hội đồng|Hội|Đoàn|Tổ(?! chức| quốc)|Cổng|Trường"
    r"|Nhà trường|CV|Cán bộ|Công chức|Bộ|Cơ quan|Đảng ủy|Đảng uỷ|Mặt trận|MTTQ|Chi cục|Cục|Kho bạc"
    r"|Bảo hiểm|Ngân hàng|Viện|Đài|Hợp tác xã|Doanh nghiệp|Chủ tịch|Lãnh đạo|Thường trực|Trạm|Đội|Tất cả)"
    r"(?=[\s,;:.)\-–]|[A-ZĐ]|$)"
)
_DEADLINE_START = re.compile(
    r"(?<![\w/\-–])(?:(?:Năm|Nam)\s+(?:19|20)\d\d|(?:19|20)\d\d\b|Quý|Quy\s|Tháng|Thang\s|Thường xuyên|Thuong xuyen"
    r"|Hằng năm|Hàng năm|Hang nam|Cả năm|Ca nam|Sau khi|Khi\s|Trước|Kế hoạch công tác|Triển khai theo"
    r"|Theo (?:hướng dẫn|tiến độ|kế hoạch|chỉ đạo|quy định|lộ trình)|Định kỳ|Giai đoạn|Đến (?:năm|hết)"
    r"|Từ năm|Trong năm|Nhiệm vụ thường xuyên|Hoàn thành trong)"
)
# Words after which a capitalised unit word is part of the same phrase, not a new cell.
_GLUE_WORDS = {"và", "của", "với", "cho", "tại", "thuộc", "các", "những", "là", "gồm", "như", "từ",
               "đến", "trong", "giữa", "bởi", "do", "hoặc"}
_GLUE_FOLDED = {fold(w) for w in _GLUE_WORDS}
_GLUE_CHARS = ",;-–&/(+"
# Unit words that also end another unit's name when they follow it directly.
_NAME_SUFFIXES = {"Sở", "Bộ", "UBND", "UB", "Ủy ban", "Uỷ ban", "Ban", "Hội", "Hội đồng", "Đoàn", "Cục",
                  "Đảng ủy", "Đảng uỷ", "Trường", "Viện", "MTTQ", "Mặt trận", "Công an", "Trung tâm"}
_SENTENCE_BREAK = re.compile(r"\.\s+(?=[a-zđà-ỹ])")
_COMPLETE = re.compile(r"[.;:!?…)\"”]$")
_COLLECTIVE = re.compile(r"^(?:Các|các|Tất cả|Cac)\b")
_MAX_UNIT_WORDS = 14
_MAX_DEADLINE_WORDS = 25
_MAX_LEAD_WORDS = 8


def join_lines(parts: list[str]) -> str:
    out = ""
    for part in parts:
        out = join_piece(out, part)
    return out


def _is_glue(word: str) -> bool:
    """"và", "của"… (also "va", "cua" in copies that lost their diacritics)."""
    word = word.lower()
    return word in _GLUE_WORDS or (not has_diacritics(word) and fold(word) in _GLUE_FOLDED)


def _boundary(text: str, m: re.Match, prev: re.Match | None, weak: bool) -> bool:
    """Does the unit word at ``m`` start a new cell (not continue the phrase before it)?"""
    before = text[:m.start()].rstrip()
    if not before:
        return True
    if prev is not None and prev.end() >= len(before) and m.group(0) in _NAME_SUFFIXES:
        return False                          # "Văn phòng Sở", "Chủ tịch UBND": one name
    if before[-1] in _GLUE_CHARS and not (weak and before[-1] == ";"):
        return False
    words = before.split()
    return not words or not _is_glue(words[-1])


def unit_starts(text: str, weak: bool = False) -> list[int]:
    """Offsets where a unit phrase starts; ``weak`` also splits after a semicolon."""
    starts: list[int] = []
    prev = None
    for m in _UNIT_START.finditer(text):
        if _boundary(text, m, prev, weak):
            starts.append(m.start())
        prev = m
    return starts


def parse_cells(cells: str, n_units: int) -> tuple[list[str], str]:
    """Unit phrases and the deadline of the run-together cells of one row."""
    cells = cells.strip()
    if not cells:
        return [], ""
    d = _deadline_at(cells)
    units_text, deadline = cells[:d].strip(), cells[d:].strip()
    return split_units(units_text, n_units), deadline


def _deadline_at(cells: str) -> int:
    first_unit = _UNIT_START.match(cells)
    for m in _DEADLINE_START.finditer(cells):
        if m.start() > 0 or not first_unit:
            return m.start()
    return len(cells)


def split_units(text: str, n_units: int) -> list[str]:
    if not text:
        return []
    starts = unit_starts(text)
    if len(starts) < n_units:
        starts = unit_starts(text, weak=True)
    bounds = sorted(set([0] + starts)) + [len(text)]
    phrases = [text[a:b].strip().rstrip(",;").strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in phrases if p]


def cells_ok(cells: str, n_units: int = 3) -> bool:
    """Does this text read as unit cells plus a deadline (short phrases, no sentences)?"""
    units, deadline = parse_cells(cells, n_units)
    if not units and not deadline:
        return False
    if units and (len(units[0].split()) > _MAX_LEAD_WORDS or not _UNIT_START.match(units[0])):
        return False
    if any(len(u.split()) > _MAX_UNIT_WORDS or re.search(r"\.\s+[A-ZĐ]", u) for u in units):
        return False
    return len(deadline.split()) <= _MAX_DEADLINE_WORDS


def _mid_line_start(line: str) -> int | None:
    """Where unit cells begin inside a content line ("… dữ liệu dùng UBND xã Phòng VH-XH …")."""
    for p in unit_starts(line):
        if p == 0:
            continue
        words = line[:p].split()
        if not words or not words[-1][:1].islower() or _is_glue(words[-1]):
            continue
        tail = line[p:]
        if len(tail.split()) > 30 or re.search(r"\.\s", tail):
            continue
        units, deadline = parse_cells(tail, 3)
        if len(units) + bool(deadline) >= 2 and cells_ok(tail):
            return p
    return None


def find_cells_start(lines: list[str], allow_first: bool = False) -> tuple[int, int] | None:
    """(line, offset) where a row's unit/deadline cells begin after its content, or None."""
    for idx, line in enumerate(lines):
        if idx > 0 or allow_first:
            prev = lines[idx - 1].rstrip() if idx > 0 else ""
            glued = prev.endswith(tuple(_GLUE_CHARS)) or _is_glue((prev.split() or [""])[-1])
            if not glued and _UNIT_START.match(line) and cells_ok(join_lines(lines[idx:])):
                return idx, 0
        off = _mid_line_start(line)
        if off is not None:
            return idx, off
    return None


def split_continuation(text: str, content_before: str) -> tuple[str, str]:
    """Text after a page break: (more content, more cells).

    When the content before the break is unfinished, the first sentence continues it and
    anything after a sentence end followed by a lower-case word continues the cells
    ("… công khai kết quả. của tỉnh."); otherwise all of it continues the cells.
    """
    if _COMPLETE.search(content_before.strip()):
        return "", text
    m = _SENTENCE_BREAK.search(text)
    if not m:
        return text, ""
    return text[:m.start() + 1], text[m.end():]


def assign_units(phrases: list[str], roles: list[str]) -> dict[str, str]:
    """Unit phrases → unit columns (roles in header order)."""
    k, n = len(roles), len(phrases)
    if not k or not n:
        return {}
    if n > k:       # several units in one column: the middle columns take the extra ones
        phrases = [phrases[0], "; ".join(phrases[1:n - k + 2]), *phrases[n - k + 2:]] if k > 1 else ["; ".join(phrases)]
    if len(phrases) == k:
        out = dict(zip(roles, phrases))
        if "main" in out and "partners" in out and _COLLECTIVE.match(out["main"]) \
                and not _COLLECTIVE.match(out["partners"]) and ";" not in out["partners"]:
            out["main"], out["partners"] = out["partners"], out["main"]
        return out
    out = {roles[0]: phrases[0]}
    rest = [r for r in roles[1:]]
    for phrase in phrases[1:]:
        role = "partners" if _COLLECTIVE.match(phrase) and "partners" in rest else rest[0]
        out[role] = phrase
        rest.remove(role)
    return out
