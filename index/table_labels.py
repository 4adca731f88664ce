"""What table headers, row numbers and group rows mean, whatever the table's layout.

Column meaning always comes from header words, never from positions: the same roles are
used by the tab/pipe grid reader (:mod:`index.table_grid`) and by the reader of tables that
PDF extraction scattered over lines (:mod:`index.table_pdf`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.text import fold

# Roles a column can play. "status"/"progress" describe how far a task got (progress reports).
ROLES = ("no", "subno", "content", "name", "lead", "main", "partners", "owner", "result",
         "deadline", "progress", "status", "note", "unit", "value", "year")
UNIT_ROLES = ("lead", "main", "partners")

_YEAR_LABEL = re.compile(r"^(?:nam|den nam|muc tieu nam|giai doan|ke hoach|chi tieu nam)?\s*((?:19|20)\d\d)$")

# First matching rule wins; the order settles labels that carry several words
# ("Cơ quan chủ trì theo dõi" is an owner, "Nội dung thực hiện" is content).
_LABEL_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((role, re.compile(rx)) for role, rx in (
    ("no", r"^(?:s?tt|so tt|so thu tu|thu tu)$"),
    ("subno", r"^(?:s?tt|so tt) (?:chi tiet|cu the|nhiem vu)$"),
    ("note", r"ghi chu"),
    ("status", r"ket qua (?:hien nay|dat duoc|thuc hien)|tinh hinh|danh gia ket qua|trang thai"),
    ("progress", r"tien do"),
    ("partners", r"phoi hop"),
    ("main", r"thuc hien chinh"),
    ("owner", r"theo doi"),
    ("deadline", r"thoi (?:gian|han)|^(?:han|moc) (?:hoan thanh|thuc hien)|^hoan thanh$"),
    ("unit", r"^(?:don vi tinh|dvt|don vi do|don vi)$"),
    ("name", r"chi tieu"),
    ("lead", r"chu tri|tham muu|^(?:co quan|don vi|phong|bo phan|ten co quan|ten don vi|nguoi)\b"),
    ("content", r"nhiem vu|noi dung|chuong trinh|de an|cong viec|hoat dong|giai phap|^ten\b|du an"),
    ("result", r"ket qua|san pham"),
    ("lead", r"thuc hien"),
    ("value", r"muc tieu|chi so|gia tri"),
))


def label_key(label: str) -> str:
    """Folded, punctuation-free form of a header label: the form the rules match."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", fold(label))).strip()


def classify_label(label: str) -> str:
    """Role of a header cell ("" when the label says nothing we use)."""
    key = label_key(label)
    if not key:
        return ""
    if _YEAR_LABEL.match(key):
        return "year"
    for role, rx in _LABEL_RULES:
        if rx.search(key):
            return role
    return ""


def label_year(label: str) -> str:
    m = _YEAR_LABEL.match(label_key(label))
    return m.group(1) if m else ""


# ---------------------------------------------------------------- row numbers and groups

_ROMAN = re.compile(r"^(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$")
_NUM = re.compile(r"^\d{1,4}[.)]?$")
_DOTTED = re.compile(r"^\d{1,3}(?:\.\d{1,3})+[.)]?$")
_LETTER = re.compile(r"^[A-ZĐ][.)]?$")
_LOWER_ITEM = re.compile(r"^[a-zđ][.)]$")


def clean_no(no: str) -> str:
    """Row number without its trailing dot or bracket: "140." → "140", "II." → "II"."""
    return no.strip().rstrip(".)").strip()


def roman_value(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = values[a]
        total += -v if values.get(b, 0) > v else v
    return total


def no_kind(no: str) -> str:
    """"num", "dotted", "roman", "letter", "item" (a), b)), "" (empty) or "text"."""
    s = no.strip()
    if not s:
        return ""
    if _NUM.match(s):
        return "num"
    if _DOTTED.match(s):
        return "dotted"
    core = clean_no(s)
    if _ROMAN.match(core):
        return "roman"
    if _LETTER.match(s):
        return "letter"
    if _LOWER_ITEM.match(s):
        return "item"
    return "text"


def looks_like_no(no: str) -> bool:
    return no_kind(no) in ("num", "dotted", "roman", "letter", "item")


@dataclass
class GroupStack:
    """Nested group rows ("V Chuyển đổi số" > "5.2 Dữ liệu số") of one table."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, no, title)

    def kind_of(self, no: str) -> str:
        """Group kind of a row number; a lone letter after its predecessor stays a letter."""
        core = clean_no(no)
        kind = no_kind(no)
        if kind == "dotted":
            return f"dotted{core.count('.')}"
        if kind == "roman" and len(core) == 1:
            prev = next((n for k, n, _ in reversed(self.entries) if k == "letter"), "")
            if prev and len(prev) == 1 and ord(core) == ord(prev) + 1:
                return "letter"
        return kind

    def close(self, kind: str) -> None:
        """End the group of that kind and everything nested in it."""
        for i, (k, _, _) in enumerate(self.entries):
            if k == kind:
                del self.entries[i:]
                break

    def push(self, no: str, title: str) -> None:
        kind = self.kind_of(no)
        self.close(kind)
        self.entries.append((kind, clean_no(no), title.strip()))

    def extend_title(self, more: str) -> None:
        if self.entries and more.strip():
            kind, no, title = self.entries[-1]
            self.entries[-1] = (kind, no, join_piece(title, more))

    def last_value(self, kind: str) -> int:
        """Value of the last group number of that kind (roman/letter), 0 when none."""
        for k, no, _ in reversed(self.entries):
            if k == kind:
                return roman_value(no) if kind == "roman" else ord(no[0]) - ord("A") + 1
        return 0

    def path(self) -> str:
        return " > ".join(f"{no} {title}".strip() for _, no, title in self.entries)

    def year(self) -> str:
        """Target year named by the innermost group that names one ("Đến năm 2030" → "2030")."""
        for _, _, title in reversed(self.entries):
            years = re.findall(r"(?:19|20)\d\d", title)
            if years:
                return years[-1]
        return ""


def join_piece(a: str, b: str) -> str:
    """Join two pieces of one cell split by a line or page break ("02-" + "CTr" → "02-CTr")."""
    a, b = a.strip(), b.strip()
    if not a or not b:
        return a or b
    if a.endswith("-") and not a.endswith(" -"):
        return a + b
    return f"{a} {b}"


# ---------------------------------------------------------------- shared plumbing

@dataclass(frozen=True)
class Line:
    """One line of the normalized text with its offsets (``end`` excludes the newline)."""

    text: str
    start: int
    end: int


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(Line(raw, pos, pos + len(raw)))
        pos += len(raw) + 1
    return lines


@dataclass
class RowRecord:
    """One data row of any table layout, its cells already mapped to roles."""

    kind: str                                   # "task" | "indicator"
    no: str
    fields: dict[str, str]                      # role → cell text
    span: tuple[int, int]
    group: str = ""
    group_year: str = ""
    targets: dict[str, str] = field(default_factory=dict)   # year → value (indicator tables)
