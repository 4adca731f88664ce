"""Tables whose rows are lines: tab-separated cells (text and .docx exports) and Markdown
pipe tables.

Both layouts become a stream of physical rows; :class:`GridTable` then reads the header
(and a second header row of target years), skips headers repeated after page breaks,
tracks group rows (``I``, ``V`` > ``5.1``, ``A``), merges rows continued with an empty
number cell into the row before, and emits :class:`~index.table_labels.RowRecord`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.table_labels import (
    GroupStack, Line, RowRecord, classify_label, clean_no, join_piece, label_key, label_year,
    looks_like_no, no_kind,
)


@dataclass
class GridRow:
    cells: list[str]
    start: int
    end: int


@dataclass
class PlainLine:
    text: str
    start: int
    end: int


_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_INLINE_NO = re.compile(r"^((?:[IVXLC]+|[A-ZĐ]|\d{1,3}(?:\.\d{1,3})+)[.)]?)\s+(\S.*)$")
_PAGE_NO = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$")
_MAX_PIPE_LINES = 40


# ---------------------------------------------------------------- physical rows

def grid_items(lines: list[Line]) -> list[GridRow | PlainLine]:
    """Tab rows, pipe rows (a pipe row broken over lines is joined again) and plain lines."""
    items: list[GridRow | PlainLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.text.strip()
        if not stripped:
            i += 1
        elif stripped.startswith("|"):
            j = _pipe_row_end(lines, i)
            joined = "\n".join(ln.text.strip() for ln in lines[i:j + 1])
            cells = [_join_cell_lines(c) for c in split_pipe(joined)]
            items.append(GridRow(cells, line.start, lines[j].end))
            i = j + 1
        elif "\t" in line.text:
            items.append(GridRow([c.strip() for c in line.text.split("\t")], line.start, line.end))
            i += 1
        else:
            items.append(PlainLine(stripped, line.start, line.end))
            i += 1
    return items


def _pipe_row_end(lines: list[Line], i: int) -> int:
    """Index of the last line of the pipe row starting at ``i`` (a pipe row ends with "|")."""
    j = i
    while not lines[j].text.rstrip().endswith("|") and j + 1 < len(lines) and j - i < _MAX_PIPE_LINES:
        nxt = lines[j + 1].text.strip()
        if not nxt or nxt.startswith("|"):
            break
        j += 1
    return j


def _join_cell_lines(cell: str) -> str:
    """A cell broken by <br>: list items ("Sở A<br>UBND xã") keep a separator, prose a space."""
    parts = [p.strip() for p in cell.split("\n") if p.strip()]
    out = parts[0] if parts else ""
    for part in parts[1:]:
        sep = "; " if part[0].isupper() and out[-1] not in ",;:-.(" else " "
        out = f"{out}{sep}{part}"
    return out


def split_pipe(row: str) -> list[str]:
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def is_separator(cells: list[str]) -> bool:
    nonempty = [c for c in cells if c]
    return bool(nonempty) and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in nonempty)


def is_header(cells: list[str]) -> bool:
    """A header row: short labels, most of them known, one of them naming the task/indicator."""
    nonempty = [c for c in cells if c]
    if len(nonempty) < 2 or any(len(c) > 90 for c in nonempty):
        return False
    roles = [classify_label(c) for c in nonempty]
    if any(r != "year" and looks_like_no(c) for c, r in zip(nonempty, roles)):
        return False
    known = [r for r in roles if r]
    if len(known) < 0.6 * len(nonempty) or not {"content", "name"} & set(known):
        return False
    return len(known) >= 3 or ("no" in known and len(known) >= 2)


# ---------------------------------------------------------------- one table

@dataclass
class _Pending:
    no: str
    cells: list[str]
    start: int
    end: int
    group: str
    group_year: str


@dataclass
class GridTable:
    """The table under a header row, filled row by row."""

    labels: list[str]
    start: int
    roles: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    groups: GroupStack = field(default_factory=GroupStack)
    rows: list[_Pending] = field(default_factory=list)
    last_was_group: bool = False

    def __post_init__(self) -> None:
        self.key = tuple(label_key(c) for c in self.labels if c)
        self._set_roles()

    def _set_roles(self) -> None:
        self.roles = [classify_label(c) for c in self.labels]
        self.years = [label_year(c) if r == "year" else "" for c, r in zip(self.labels, self.roles)]
        seen_no = False
        for i, role in enumerate(self.roles):
            if role == "no":
                self.roles[i] = "subno" if seen_no else "no"
                seen_no = True
        if "progress" in self.roles:    # a progress report: "Tiến độ" is a status, not a deadline
            new = "status" if "deadline" in self.roles else "deadline"
            self.roles = [new if r == "progress" else r for r in self.roles]

    @property
    def kind(self) -> str:
        roles = set(self.roles)
        task_cols = {"lead", "main", "partners", "deadline", "owner", "result"}
        if "name" in roles and ("year" in roles or "value" in roles or (
                roles & {"result", "unit"} and not roles & {"partners", "deadline", "main"})):
            return "indicator"
        if roles & {"content", "name"} and roles & task_cols:
            return "task"
        return ""

    @property
    def no_index(self) -> int | None:
        return self.roles.index("no") if "no" in self.roles else None

    def same_header(self, cells: list[str]) -> bool:
        return tuple(label_key(c) for c in cells if c) == self.key

    def try_sub_header(self, cells: list[str]) -> bool:
        """A second header row right under the first (target years under "Mục tiêu")."""
        if self.rows or self.groups.entries or (cells and cells[0]):
            return False
        roles = [classify_label(c) for c in cells if c]
        if not roles or "year" not in roles or not all(roles):
            return False
        self.labels = [sub or top for top, sub in _zip_pad(self.labels, cells)]
        self._set_roles()
        return True

    def accept_plain(self, line: PlainLine) -> bool:
        """Plain lines inside a grid table: merged group rows and page numbers."""
        if _PAGE_NO.match(line.text):
            return True
        group = _inline_group([line.text]) if len(line.text) < 300 else None
        if group is not None:
            self._group(*group)
            return True
        return False

    def add(self, row: GridRow) -> None:
        cells = _dedupe_merged(row.cells)
        inline = _inline_group(cells)
        if inline is not None:
            self._group(*inline)
            return
        ni = self.no_index
        no = cells[ni] if ni is not None and ni < len(cells) else ""
        others = [c for i, c in enumerate(cells) if c and i != ni]
        if not others and not no:
            return
        kind = no_kind(no)
        if kind in ("roman", "letter") or (kind == "dotted" and len(others) <= 1):
            self._group(no, self._title(cells, ni))
        elif ni is not None and not no and (self.rows or self.last_was_group):
            self._continue(cells, row.end)
        else:
            if kind == "item":
                self._promote_heading_row()
            self.groups.close(kind)     # a numbered task ends a group numbered the same way
            self.rows.append(_Pending(clean_no(no), cells, row.start, row.end,
                                      self.groups.path(), self.groups.year()))
            self.last_was_group = False

    def _promote_heading_row(self) -> None:
        """"1  Nhóm …" with nothing but a title, followed by items "a)", "b)": a group row."""
        if self.last_was_group or not self.rows:
            return
        last = self.rows[-1]
        filled = [c for i, c in enumerate(last.cells) if c and i != self.no_index]
        if no_kind(last.no) == "num" and len(filled) == 1:
            self.rows.pop()
            self._group(last.no, filled[0])

    def _title(self, cells: list[str], ni: int | None) -> str:
        for role in ("content", "name"):
            if role in self.roles:
                i = self.roles.index(role)
                if i < len(cells) and cells[i]:
                    return cells[i]
        return next((c for i, c in enumerate(cells) if c and i != ni), "")

    def _group(self, no: str, title: str) -> None:
        self.groups.push(no, title)
        self.last_was_group = True

    def _continue(self, cells: list[str], end: int) -> None:
        if self.last_was_group or not self.rows:
            self.groups.extend_title(" ".join(c for c in cells if c))
            return
        last = self.rows[-1]
        last.cells = [join_piece(a, b) for a, b in _zip_pad(last.cells, cells)]
        last.end = end

    def records(self) -> list[RowRecord]:
        kind = self.kind
        if not kind:
            return []
        return [self._record(kind, p) for p in self.rows]

    def _record(self, kind: str, p: _Pending) -> RowRecord:
        fields: dict[str, str] = {}
        targets: dict[str, str] = {}
        for i, cell in enumerate(p.cells):
            role = self.roles[i] if i < len(self.roles) else ""
            if not cell or role in ("", "no", "subno"):
                continue
            if role == "year":
                targets[self.years[i]] = cell
                continue
            if role == "status":
                role, cell = "note", f"{_label_title(self.labels[i])}: {cell}"
            sep = " " if role == "content" else "; "
            fields[role] = f"{fields[role]}{sep}{cell}" if role in fields else cell
        return RowRecord(kind, p.no, fields, (p.start, p.end), p.group, p.group_year, targets)


def _zip_pad(a: list[str], b: list[str]):
    n = max(len(a), len(b))
    return zip(a + [""] * (n - len(a)), b + [""] * (n - len(b)))


def _label_title(label: str) -> str:
    label = re.sub(r"\s+", " ", label).strip()
    return label[:1].upper() + label[1:].lower() if label.isupper() else label


def _dedupe_merged(cells: list[str]) -> list[str]:
    """A row merged across columns (.docx repeats the merged cell): keep one copy."""
    vals = [c for c in cells[1:] if c]
    if len(vals) >= 2 and len(set(vals)) == 1:
        first = cells.index(vals[0], 1)
        if cells[0] == vals[0]:
            first = 0
        return [c if (i == first or c != vals[0]) else "" for i, c in enumerate(cells)]
    return list(cells)


def _inline_group(cells: list[str]) -> tuple[str, str] | None:
    """A group row written in one cell: "I. Nhóm nhiệm vụ…", "A. NHIỆM VỤ CHUNG"."""
    nonempty = [c for c in cells if c]
    if len(nonempty) != 1:
        return None
    m = _INLINE_NO.match(nonempty[0])
    if not m or no_kind(m.group(1)) not in ("roman", "letter", "dotted"):
        return None
    if not m.group(1).endswith((".", ")")) and not m.group(2)[0].isupper():
        return None                     # "A tỉnh…": a continued cell, not a group
    return m.group(1), m.group(2)


# ---------------------------------------------------------------- the reader

def read_grid_tables(lines: list[Line]) -> tuple[list[RowRecord], list[str]]:
    """All tab/pipe tables of a document: their data rows and warnings."""
    records: list[RowRecord] = []
    warnings: list[str] = []
    table: GridTable | None = None

    def finish() -> None:
        if table is None:
            return
        if not table.kind:
            warnings.append(f"bảng tại vị trí {table.start}: tiêu đề cột không rõ nghĩa "
                            f"({' | '.join(c for c in table.labels if c)}), bỏ qua")
        elif not table.rows:
            warnings.append(f"bảng tại vị trí {table.start}: không có dòng dữ liệu")
        records.extend(table.records())

    for item in grid_items(lines):
        if isinstance(item, PlainLine):
            if table is not None and not table.accept_plain(item):
                finish()
                table = None
            continue
        if is_separator(item.cells):
            continue
        if is_header(item.cells):
            if table is not None and table.same_header(item.cells):
                continue                     # header repeated after a page break
            finish()
            table = GridTable([c for c in item.cells], item.start)
            continue
        if table is not None and not table.try_sub_header(item.cells):
            table.add(item)
    finish()
    return records, warnings
