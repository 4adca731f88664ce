"""Tables that PDF text extraction scattered over lines.

What such a table looks like after :func:`index.text.normalize`::

    STT
    TT Chi tiết
    Nội dung Cơ quan chủ trì thực hiện
    Phòng thực hiện chính Cơ quan phối hợp Thời gian hoàn thành
    Ghi chú
    I
    Nâng cao nhận thức, …                      ← group row, title on the next line
    21 3                                       ← "<global no> <local no>"
    Đẩy mạnh triển khai …                      ← content lines
    UBND xã Phòng VH-XH Các ban, ngành, đoàn thể 2025   ← unit cells and deadline run together

The header is repeated at every page break (sometimes after a page number line), and text
after the repeated header continues the row before it. Cells are recovered with general
knowledge of Vietnamese administrative writing (:mod:`index.table_cells`): unit names
start with words such as UBND, Phòng, Văn phòng, Các…; deadlines with a year, Quý, Tháng,
Thường xuyên, Khi…, Sau khi…; the unit phrases then fill the unit columns in header order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.table_cells import assign_units, find_cells_start, join_lines, parse_cells, split_continuation
from index.table_labels import UNIT_ROLES, GroupStack, Line, RowRecord, roman_value
from index.text import fold

# Header labels, folded; tried in this order at each position (first match wins).
_LABEL = re.compile(r"(?:" + "|".join(f"(?P<{role}>{rx})(?!\\w)" for role, rx in (
    ("subno", r"s?tt (?:chi tiet|cu the)"),
    ("no", r"s?tt|so tt|so thu tu"),
    ("content", r"noi dung(?: cong viec| nhiem vu| thuc hien)?|ten nhiem vu|nhiem vu(?: cu the)?|cong viec|hoat dong"),
    ("main", r"(?:phong |bo phan |don vi )?thuc hien chinh"),
    ("partners", r"(?:co quan |don vi )?phoi hop(?: thuc hien)?"),
    ("lead", r"(?:co quan|don vi) (?:chu tri|thuc hien)(?: thuc hien)?|chu tri(?: thuc hien)?"
             r"|truc tiep tham muu(?:,? thuc hien)?|co quan|don vi"),
    ("deadline", r"thoi (?:gian|han)(?: hoan thanh| thuc hien)?|tien do(?: thuc hien)?"),
    ("result", r"(?:du kien )?(?:ket qua|san pham)(?: du kien| dau ra)?"),
    ("note", r"ghi chu"),
)) + ")")
_LABEL_GAP = re.compile(r"[\s,;/()\-–]*")
_PAGE_NO = re.compile(r"^\d{1,3}$")
_ROW_TWO = re.compile(r"^(\d{1,3})[.)]?\s+(\d{1,3})[.)]?(?:\s+(.*))?$")
_ROW_ONE = re.compile(r"^(\d{1,3})[.)]?(?:\s+(.*))?$")
_GROUP = re.compile(r"^([IVXLC]+|[A-ZĐ])[.)]?(?:\s+(\S.*))?$")
_REGION_END = re.compile(r"^(?:phu luc\b|noi nhan\b)")
_HEADER_SCAN_LINES = 12


@dataclass
class Header:
    roles: list[str]
    last: int                       # index of the header's last line
    tail: Line | None = None        # text after the last label on that line


@dataclass
class Piece:
    text: str
    end: int
    after_break: bool


@dataclass
class PdfRow:
    no: str
    sub: str
    start: int
    end: int
    group: str
    group_year: str
    pieces: list[Piece] = field(default_factory=list)


def scan_labels(folded: str) -> tuple[list[str], int]:
    """Header labels read back to back from the start of a folded line, and where they stop."""
    roles: list[str] = []
    end = 0
    while True:
        pos = _LABEL_GAP.match(folded, end).end()
        m = _LABEL.match(folded, pos) if pos < len(folded) else None
        if not m:
            return roles, end
        roles.append(m.lastgroup)
        end = m.end()


def read_header(lines: list[Line], i: int) -> Header | None:
    """The scattered header starting at line ``i`` ("STT" …), or None."""
    if not re.match(r"^(?:s?tt|so tt|so thu tu)\b", fold(lines[i].text.strip())):
        return None
    roles: list[str] = []
    last, tail = i, None
    for j in range(i, min(len(lines), i + _HEADER_SCAN_LINES)):
        text = lines[j].text
        if not text.strip():
            continue
        if "\t" in text or text.lstrip().startswith("|"):
            break
        got, end = scan_labels(fold(text))
        if not got:
            break
        roles += got
        last = j
        rest = text[end:]
        if rest.strip():
            off = end + len(rest) - len(rest.lstrip())
            tail = Line(text[off:], lines[j].start + off, lines[j].end)
            break
    if len(set(roles)) < 4 or "content" not in roles or not set(roles) & {"lead", "main", "partners", "deadline"}:
        return None
    return Header(roles, last, tail)


class PdfTable:
    """One scattered table: reads its lines, then splits every row into cells."""

    def __init__(self, header: Header):
        self.roles = header.roles
        self.two_numbers = "subno" in header.roles
        self.groups = GroupStack()
        self.rows: list[PdfRow] = []
        self.warnings: list[str] = []
        self._pending_group: str | None = None
        self._after_break = False
        self._in_row = False            # text lines belong to the last row (not to a group title)

    # ------------------------------------------------------------ reading lines

    def read(self, lines: list[Line], start: int) -> int:
        """Consume the table's lines from ``start``; return the index of the first line after it."""
        j = start
        while j < len(lines):
            line = lines[j]
            text = line.text.strip()
            if not text:
                j += 1
                continue
            if "\t" in line.text or text.startswith("|") or _REGION_END.match(fold(text)):
                return j
            header = read_header(lines, j)
            if header is not None:
                if header.roles != self.roles:
                    return j                    # another table starts here
                self._page_break(header)
                j = header.last + 1
                continue
            if _PAGE_NO.match(text) and self._header_follows(lines, j + 1):
                j += 1
                continue
            self._line(line, text)
            j += 1
        return j

    @staticmethod
    def _header_follows(lines: list[Line], j: int) -> bool:
        while j < len(lines) and not lines[j].text.strip():
            j += 1
        return j < len(lines) and read_header(lines, j) is not None

    def _page_break(self, header: Header) -> None:
        self._after_break = True
        if header.tail is not None:
            self._text(header.tail.text.strip(), header.tail.end)

    def _line(self, line: Line, text: str) -> None:
        row = self._row_start(text)
        if row is not None:
            no, sub, rest = row
            self.rows.append(PdfRow(no, sub, line.start, line.end, self.groups.path(), self.groups.year()))
            self._after_break = False
            self._pending_group = None
            self._in_row = True
            if rest:
                self._text(rest, line.end)
            return
        m = _GROUP.match(text)
        if m and self._next_group(m.group(1)) and (not m.group(2) or m.group(2)[0].isupper()):
            self._in_row = self._after_break = False
            if m.group(2):
                self.groups.push(m.group(1), m.group(2))
            else:
                self._pending_group = m.group(1)
            return
        self._text(text, line.end)

    def _text(self, text: str, end: int) -> None:
        if self._pending_group is not None:
            self.groups.push(self._pending_group, text)
            self._pending_group = None
        elif self._in_row:
            row = self.rows[-1]
            row.pieces.append(Piece(text, end, self._after_break))
            row.end = max(row.end, end)
        elif self.groups.entries:
            self.groups.extend_title(text)

    def _row_start(self, text: str) -> tuple[str, str, str] | None:
        last = self.rows[-1] if self.rows else None
        last_no = int(last.no) if last else 0
        if self.two_numbers:
            m = _ROW_TWO.match(text)
            if not m:
                return None
            no, sub = int(m.group(1)), int(m.group(2))
            last_sub = int(last.sub) if last and last.sub else 0
            ok = no == last_no + 1 or (last_no < no <= last_no + 3 and sub in (last_sub + 1, 1)) or not last
        else:
            m = _ROW_ONE.match(text)
            if not m:
                return None
            no, sub = int(m.group(1)), 0
            ok = no == last_no + 1 or (not last and no <= 3)
        if not ok:
            return None
        if last and no != last_no + 1:
            self.warnings.append(f"bảng PDF: dòng {no} đứng sau dòng {last_no}, có thể thiếu dòng")
        rest = m.group(3) if self.two_numbers else m.group(2)
        return str(no), str(sub) if sub else "", (rest or "").strip()

    def _next_group(self, no: str) -> bool:
        """Group numbers follow each other (I, II, III … or A, B, C …)."""
        kind = self.groups.kind_of(no)
        if kind == "roman":
            return roman_value(no) == self.groups.last_value("roman") + 1
        if kind == "letter":
            return ord(no[0]) - ord("A") + 1 == self.groups.last_value("letter") + 1
        return False

    # ------------------------------------------------------------ rows → records

    def records(self) -> list[RowRecord]:
        unit_roles = [r for r in self.roles if r in UNIT_ROLES]
        out = []
        for row in self.rows:
            fields = self._fields(row, unit_roles)
            out.append(RowRecord("task", row.no, fields, (row.start, row.end), row.group, row.group_year))
        return out

    def _fields(self, row: PdfRow, unit_roles: list[str]) -> dict[str, str]:
        content, cells = split_row_text([p.text for p in row.pieces if not p.after_break],
                                        [p.text for p in row.pieces if p.after_break])
        units, deadline = parse_cells(cells, len(unit_roles))
        if not units and not deadline:
            self.warnings.append(f"bảng PDF: dòng {row.no} không tách được cột đơn vị/thời gian")
        fields = {"content": content, **assign_units(units, unit_roles)}
        if deadline and "deadline" in self.roles:
            fields["deadline"] = deadline
        return {k: v for k, v in fields.items() if v}


def split_row_text(main: list[str], cont: list[str]) -> tuple[str, str]:
    """(content, run-together cells) of a row: ``main`` lines before a page break, ``cont`` after."""
    cut = find_cells_start(main)
    if cut is not None:
        idx, off = cut
        content = join_lines(main[:idx] + [main[idx][:off]])
        cells = join_lines([main[idx][off:]] + main[idx + 1:])
        more_content, more_cells = split_continuation(join_lines(cont), content) if cont else ("", "")
        return join_lines([content, more_content]), join_lines([cells, more_cells])
    cut = find_cells_start(cont, allow_first=bool(main))    # the cells are all after the break
    if cut is None:
        return join_lines(main + cont), ""
    idx, off = cut
    return join_lines(main + cont[:idx] + [cont[idx][:off]]), join_lines([cont[idx][off:]] + cont[idx + 1:])


def read_pdf_tables(lines: list[Line]) -> tuple[list[RowRecord], list[str]]:
    """All scattered tables of a document: their rows and warnings."""
    records: list[RowRecord] = []
    warnings: list[str] = []
    i = 0
    while i < len(lines):
        header = read_header(lines, i) if lines[i].text.strip() else None
        if header is None:
            i += 1
            continue
        table = PdfTable(header)
        if header.tail is not None:
            warnings.append(f"bảng PDF tại vị trí {lines[i].start}: bỏ qua chữ sau tiêu đề: {header.tail.text[:60]}")
        i = max(table.read(lines, header.last + 1), header.last + 1)
        records += table.records()
        warnings += table.warnings
    return records, warnings
