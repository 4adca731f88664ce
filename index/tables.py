"""Appendix tables → :class:`~index.models.Task` and :class:`~index.models.Indicator`.

Three layouts are read, each by its own module, into one row shape
(:class:`~index.table_labels.RowRecord`):

- tab-separated rows and Markdown pipe tables (:mod:`index.table_grid`);
- tables that PDF extraction scattered over lines, header words on several lines and
  cells run together (:mod:`index.table_pdf`).

Column meaning always comes from the header words (:mod:`index.table_labels`), never
from column positions, so the same code reads plans it has never seen.
"""
from __future__ import annotations

from index.deadlines import normalize_deadline
from index.models import Indicator, Section, Task
from index.table_grid import read_grid_tables
from index.table_labels import RowRecord, split_lines
from index.table_pdf import read_pdf_tables


def extract_tables(text: str, doc_id: str, sections: list[Section]
                   ) -> tuple[list[Task], list[Indicator], list[str]]:
    """Tasks, indicators and warnings from the tables of one normalized document text.

    Every span ``(start, end)`` indexes ``text`` and covers the whole row, continuation
    pieces after a page break included; ``section_path`` is the path of the innermost
    section containing the row start.
    """
    lines = split_lines(text)
    grid_records, warnings = read_grid_tables(lines)
    pdf_records, pdf_warnings = read_pdf_tables(lines)
    records = sorted(grid_records + pdf_records, key=lambda r: r.span[0])
    tasks: list[Task] = []
    indicators: list[Indicator] = []
    for rec in records:
        path = section_path(sections, rec.span[0])
        if rec.kind == "indicator":
            indicators.append(_indicator(rec, doc_id, path))
        elif rec.fields.get("content") or rec.fields.get("name"):
            tasks.append(_task(rec, doc_id, path))
        else:
            warnings.append(f"dòng {rec.no or '?'} tại vị trí {rec.span[0]}: không có nội dung nhiệm vụ, bỏ qua")
    return tasks, indicators, warnings + pdf_warnings


def section_path(sections: list[Section], pos: int) -> list[str]:
    """Path of the innermost section whose span contains ``pos`` ([] when none does)."""
    inside = [s for s in sections if s.span[0] <= pos < s.span[1]]
    if not inside:
        return []
    best = min(inside, key=lambda s: (s.span[1] - s.span[0], -s.level))
    return list(best.path)


def _task(rec: RowRecord, doc_id: str, path: list[str]) -> Task:
    f = rec.fields
    deadline_text = f.get("deadline", "")
    return Task(
        doc_id=doc_id, section_path=path, group=rec.group, no=rec.no,
        content=f.get("content") or f.get("name", ""),
        lead=f.get("lead") or f.get("owner", ""),
        main_unit=f.get("main", ""),
        partners=f.get("partners", ""),
        expected_result=f.get("result") or f.get("value", ""),
        deadline_text=deadline_text,
        deadline=normalize_deadline(deadline_text),
        note=f.get("note", ""),
        span=rec.span,
    )


def _indicator(rec: RowRecord, doc_id: str, path: list[str]) -> Indicator:
    f = rec.fields
    targets = dict(rec.targets)
    value = f.get("value") or f.get("result", "")
    if value:                       # one "Kết quả"/"Mục tiêu" column: keyed by the group's year
        targets.setdefault(rec.group_year, value)
    unit = f.get("unit", "")
    if not unit and targets and all(v.rstrip().endswith("%") for v in targets.values()):
        unit = "%"
    return Indicator(
        doc_id=doc_id, section_path=path, no=rec.no,
        name=f.get("name") or f.get("content", ""),
        unit=unit, targets=targets,
        owner=f.get("owner") or f.get("lead", ""),
        span=rec.span,
    )
