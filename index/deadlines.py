"""Deadline cells ("Thời gian hoàn thành") turned into one comparable value.

:func:`normalize_deadline` maps what plans write in their deadline column to:

- ``"2026"`` for a year, ``"2026-Q2"`` for a quarter, ``"2026-04"`` for a month (a full date
  keeps its month), ``"2026+"`` for "Năm 2026 và giai đoạn tiếp theo";
- ``"thường xuyên"`` for standing tasks and ``"hằng năm"`` for yearly ones;
- ``""`` when the deadline is a condition ("Sau khi …", "Khi tỉnh ban hành …") or unknown;
  the verbatim cell always stays in ``Task.deadline_text``.

Matching runs on accent-folded text, so OCR copies without diacritics ("Quy II/2026",
"thuong xuyen") give the same value as the clean text.
"""
from __future__ import annotations

import re

from index.text import fold

ONGOING = "thường xuyên"
YEARLY = "hằng năm"

_YEAR = r"((?:19|20)\d\d)"
_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Conditions and references to someone else's schedule: no date can be derived.
_CONDITIONAL = re.compile(
    r"^(?:sau khi|khi\b|ngay sau|truoc khi|tuy theo|theo (?:huong dan|tien do|chi dao|yeu cau|ke hoach|quy dinh|lo trinh)"
    r"|trien khai theo|thuc hien theo|can cu)"
)
_OPEN_ENDED = re.compile(
    rf"(?:nam\s*)?{_YEAR}\s*(?:va|,)\s*(?:giai doan|cac nam|nhung nam|nam)\s*(?:tiep theo|tiep|sau)|(?:tu|sau)\s*nam\s*{_YEAR}"
)
_QUARTER = re.compile(rf"quy\s*([ivx]+|[1-4])\s*(?:[/.-]|nam)\s*(?:nam\s*)?{_YEAR}")
_DATE = re.compile(rf"\b(\d{{1,2}})\s*/\s*(\d{{1,2}})\s*/\s*{_YEAR}")
_MONTH_RANGE = re.compile(rf"thang\s*(\d{{1,2}})\s*-\s*(\d{{1,2}})\s*(?:/|nam)\s*{_YEAR}")
_MONTH = re.compile(rf"(?:thang\s*)?\b(\d{{1,2}})\s*(?:/|-|\bnam\b)\s*{_YEAR}")
_MONTH_WORD = re.compile(rf"thang\s*(\d{{1,2}})\s*(?:/|-|nam)?\s*{_YEAR}")
_ONGOING = re.compile(r"thuong\s*xuyen|lien tuc")
_YEARLY = re.compile(r"\b(?:hang|moi|ca)\s*nam\b|dinh ky (?:hang )?nam")
_YEARS = re.compile(rf"\b{_YEAR}\b")


def normalize_deadline(text: str) -> str:
    """Normalized deadline of a deadline cell; ``""`` when no date can be derived.

    >>> normalize_deadline("Quý II/2026"), normalize_deadline("Tháng 4/2026")
    ('2026-Q2', '2026-04')
    >>> normalize_deadline("Nhiệm vụ thường xuyên"), normalize_deadline("Sau khi Đề án được phê duyệt")
    ('thường xuyên', '')
    """
    folded = re.sub(r"\s+", " ", fold(text or "")).strip(" .;,:-")
    if not folded or _CONDITIONAL.match(folded):
        return ""
    for rule in (_open_ended, _quarter, _month, _keyword, _year):
        value = rule(folded)
        if value is not None:
            return value
    return ""


def _open_ended(folded: str) -> str | None:
    m = _OPEN_ENDED.search(folded)
    return f"{m.group(1) or m.group(2)}+" if m else None


def _quarter(folded: str) -> str | None:
    m = _QUARTER.search(folded)
    if not m:
        return None
    q = m.group(1)
    number = _ROMAN_QUARTERS.get(q) or (int(q) if q.isdigit() else 0)
    return f"{m.group(2)}-Q{number}" if 1 <= number <= 4 else None


def _month(folded: str) -> str | None:
    m = _DATE.search(folded)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(3)}-{int(m.group(2)):02d}"
    m = _MONTH_RANGE.search(folded)         # "Tháng 3-5/2025": due at the end of the range
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(3)}-{int(m.group(2)):02d}"
    m = _MONTH_WORD.search(folded) or _MONTH.search(folded)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    return None


def _keyword(folded: str) -> str | None:
    if _ONGOING.search(folded):
        return ONGOING
    if _YEARLY.search(folded):
        return YEARLY
    return None


def _year(folded: str) -> str | None:
    years = _YEARS.findall(folded)
    # "2025-2030", "giai đoạn 2026 - 2030": the task is due at the end of the period
    return years[-1] if years else None
