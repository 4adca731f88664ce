"""The parse of one document: plain dataclasses shared by the write and the read side.

Every span is a ``(start, end)`` pair of character offsets into ``ParsedDocument.text``,
the *normalized* document text (see :mod:`index.text`), so a citation's quote is always
``text[start:end]``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CHUNK_KINDS = ("text", "task", "indicator", "meta")


@dataclass
class Document:
    id: str
    title: str = ""
    doc_type: str = ""          # "Kế hoạch", "Nghị quyết", …
    number: str = ""            # "3469/KH-SNV", "/KH-VPUB" (blank number in drafts)
    issuer: str = ""            # "Sở Nội vụ"
    parent_issuer: str = ""     # "UBND tỉnh Nghệ An"
    place: str = ""
    date: str = ""              # ISO "2025-06-29", or "2026-02" when only the month is known
    level: str = ""             # "tỉnh" | "sở" | "xã" | ""
    signer: str = ""
    signer_role: str = ""       # "GIÁM ĐỐC", "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG"
    source_file: str = ""
    sha256: str = ""
    duplicate_of: str | None = None
    # spans of header fields in the normalized text, for citing metadata answers
    field_spans: dict[str, list[int]] = field(default_factory=dict)
    # field -> id of the document the value was taken from, when a near-duplicate copy
    # (e.g. an OCR scan that kept the header) supplied it; its span points into that text
    field_origin: dict[str, str] = field(default_factory=dict)
    # the documents a compilation file holds one after another (index.parts), else []
    parts: list[dict] = field(default_factory=list)


@dataclass
class Section:
    id: str                     # "s12"
    path: list[str]             # ["III", "1", "1.2"] or ["PL1"] for an appendix
    heading: str
    span: tuple[int, int]       # the whole section, heading included
    level: int = 0
    is_appendix: bool = False

    @property
    def path_str(self) -> str:
        return " > ".join(self.path)


@dataclass
class Task:
    doc_id: str
    section_path: list[str]
    group: str                  # group row heading, e.g. "V. Chuyển đổi số > 5.2 Dữ liệu số"
    no: str
    content: str
    lead: str = ""              # chủ trì / trực tiếp tham mưu, thực hiện
    main_unit: str = ""         # phòng thực hiện chính
    partners: str = ""          # phối hợp
    expected_result: str = ""
    deadline_text: str = ""
    deadline: str = ""          # normalized: "2026", "2026-Q2", "2026-04", "thường xuyên", "hằng năm", ""
    note: str = ""
    span: tuple[int, int] = (0, 0)


@dataclass
class Indicator:
    doc_id: str
    section_path: list[str]
    no: str
    name: str
    unit: str = ""              # "%" when values are percentages
    targets: dict[str, str] = field(default_factory=dict)   # {"2025": "≥ 70%", "2030": "100%"}
    owner: str = ""             # cơ quan chủ trì theo dõi
    span: tuple[int, int] = (0, 0)


@dataclass
class Chunk:
    id: str                     # "<doc_id>#<n>"
    doc_id: str
    section_path: list[str]
    kind: str                   # one of CHUNK_KINDS
    text: str                   # verbatim normalized text of the span
    span: tuple[int, int]
    heading: str = ""           # heading path prefixed for retrieval
    task_index: int | None = None       # index into ParsedDocument.tasks
    indicator_index: int | None = None  # index into ParsedDocument.indicators

    @property
    def retrieval_text(self) -> str:
        """What BM25 and the embedder see: the heading path, then the passage."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass
class ParsedDocument:
    document: Document
    text: str                   # normalized full text; every span indexes into it
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
