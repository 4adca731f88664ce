"""Pydantic models of every request and response: the OpenAPI schema at /docs comes from here."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    error: str = Field(..., description="Thông báo lỗi (tiếng Việt / English)")
    detail: str = ""
    code: str = ""


class AskFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_id: list[str] | str | None = Field(None, description="Chỉ trả lời từ các kế hoạch này")
    issuer: str | None = None
    level: str | None = Field(None, description="tỉnh | sở | xã")
    year: str | None = None


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., min_length=1, max_length=1000, examples=["Đơn vị nào chủ trì mô hình an toàn thông tin 4 lớp?"])
    filters: AskFilters | None = None

    @property
    def filter_dict(self) -> dict | None:
        return self.filters.model_dump(exclude_none=True) if self.filters else None


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str
    number: str
    section: str
    quote: str = Field(..., description="Đoạn trích nguyên văn: text[start:end] của văn bản đã chuẩn hóa")
    start: int
    end: int
    score: float


class AnswerOut(BaseModel):
    id: str
    question: str
    answer: str
    abstained: bool
    citations: list[CitationOut]
    evidence: list[dict[str, Any]] = []
    timings_ms: dict[str, float]
    intents: list[str] = []
    scope: list[str] = []
    confidence: float = 0.0


class HitOut(BaseModel):
    row: int
    chunk_id: str
    doc_id: str
    kind: str
    section_path: list[str]
    heading: str
    text: str
    start: int
    end: int
    score: float
    scores: dict[str, float]
    ranks: dict[str, int]


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]


class Examples(BaseModel):
    examples: list[str]


class DocumentRow(BaseModel):
    id: str
    title: str
    doc_type: str
    number: str
    issuer: str
    date: str
    level: str
    source_file: str
    duplicate_of: str | None = None
    tasks: int
    indicators: int
    chunks: int


class DocumentList(BaseModel):
    documents: list[DocumentRow]


class DocumentDetail(BaseModel):
    document: dict[str, Any]
    sections: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    text: str


class UploadOut(BaseModel):
    status: str = Field(..., description="added | replaced | unchanged | duplicate")
    document: dict[str, Any]
    duplicate_of: str | None = None
    tasks: int
    indicators: int
    chunks: int
    sections: int
    warnings: list[str] = []


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(..., min_length=1, max_length=64)
    helpful: bool
    comment: str = Field("", max_length=2000)
    question: str = Field("", max_length=1000)


class FeedbackOut(BaseModel):
    ok: bool
    id: int


class Health(BaseModel):
    status: str
    index_loaded: bool
    generation: str = ""
    documents: int = 0
    chunks: int = 0
    model: str = ""
