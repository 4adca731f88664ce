"""One document from raw text (or a file) to a :class:`~index.models.ParsedDocument`.

normalize → header (and the parts of a compilation) → sections → appendix tables → catalog →
chunks. Each stage is guarded: a document that confuses one stage still comes out parsed,
with a warning saying what was lost, because one odd plan must never stop a corpus build.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from index.catalog import apply_catalog, slugify
from index.chunking import make_chunks, short_title
from index.header import FIELDS, extract_header
from index.models import Document, ParsedDocument
from index.parts import find_parts
from index.sections import build_sections
from index.tables import extract_tables
from index.text import normalize


def doc_id_for(path: Path | str) -> str:
    """Default document id: the file stem, slugified ("Kế hoạch 3469.docx" → "ke-hoach-3469")."""
    return slugify(Path(path).stem)


def parse_text(raw: str, doc_id: str, source_file: str = "", catalog_entry: dict | None = None) -> ParsedDocument:
    """Parse raw document text. Never raises on text input; problems become ``warnings``."""
    warnings: list[str] = []
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode("utf-8", errors="replace")
    raw = "" if raw is None else str(raw)
    sha = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    text = _guard("normalize", normalize, warnings, None, raw)
    if text is None:
        text = raw          # spans must index *some* text; the raw one is the honest fallback
    if not text.strip():
        warnings.append("Văn bản rỗng / the document is empty")
    header = _guard("header", extract_header, warnings, {}, text)
    document = Document(id=doc_id, source_file=source_file, sha256=sha,
                        field_spans=dict(header.get("field_spans", {})),
                        **{f: header.get(f, "") for f in FIELDS})
    document.parts = _guard("parts", find_parts, warnings, [], text)
    sections = _guard("sections", build_sections, warnings, [], text)
    tasks, indicators, table_warnings = _guard("tables", extract_tables, warnings, ([], [], []),
                                               text, doc_id, sections)
    warnings += table_warnings
    document = _guard("catalog", apply_catalog, warnings, document, document, catalog_entry)
    missing = [f for f in ("doc_type", "number", "date", "issuer") if not getattr(document, f)]
    if missing and text.strip():
        warnings.append(f"Không tìm thấy: {', '.join(missing)} / not found in the text: {', '.join(missing)}")
    parsed = ParsedDocument(document=document, text=text, sections=sections, tasks=tasks,
                            indicators=indicators, warnings=warnings)
    parsed.chunks = _guard("chunks", make_chunks, warnings, [], parsed)
    return parsed


def parse_file(path: Path | str, doc_id: str | None = None, catalog_entry: dict | None = None) -> ParsedDocument:
    """Load and parse a .txt/.md/.docx/.pdf file; ``sha256`` is that of the file's bytes.

    Raises the loader's UnsupportedFile / EmptyDocument / TooLarge for files it cannot read.
    """
    from index.loaders import load_text_with_warnings   # docx/pdf libraries only when parsing files

    path = Path(path)
    raw, load_warnings = load_text_with_warnings(path)
    entry = catalog_entry or {}
    parsed = parse_text(raw, doc_id or entry.get("id") or doc_id_for(path), path.name, catalog_entry)
    parsed.document.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    parsed.warnings[:0] = load_warnings
    return parsed


def _guard(stage: str, fn, warnings: list[str], default, *args):
    try:
        return fn(*args)
    except Exception as exc:  # one stage failing must not lose the whole document
        warnings.append(f"Lỗi ở bước {stage}: {type(exc).__name__}: {exc} / stage {stage} failed")
        return default


_LABELS = (("doc_type", "Loại văn bản"), ("number", "Số hiệu"), ("date", "Ngày"), ("issuer", "Cơ quan ban hành"),
           ("parent_issuer", "Cơ quan cấp trên"), ("level", "Cấp"), ("place", "Địa danh"),
           ("title", "Trích yếu"), ("signer_role", "Chức vụ người ký"), ("signer", "Người ký"))


def summary(parsed: ParsedDocument, max_tasks: int = 5) -> str:
    """Plain-text Vietnamese summary of a parse, for ``planqa ingest --dry-run``."""
    d = parsed.document
    lines = [f"Tài liệu: {d.id} — {short_title(d)}"]
    for field, label in _LABELS:
        value = getattr(d, field)
        if value:
            origin = d.field_origin.get(field)
            lines.append(f"  {label}: {value}" + (f" (lấy từ bản trùng {origin})" if origin else ""))
    if d.source_file:
        lines.append(f"  Tệp nguồn: {d.source_file}")
    if d.duplicate_of:
        lines.append(f"  Bản trùng của: {d.duplicate_of}")
    n_app = sum(s.is_appendix for s in parsed.sections)
    lines.append(f"Mục: {len(parsed.sections)} (phụ lục: {n_app}) · Nhiệm vụ: {len(parsed.tasks)} · "
                 f"Chỉ tiêu: {len(parsed.indicators)} · Đoạn trích (chunk): {len(parsed.chunks)}")
    for t in parsed.tasks[:max_tasks]:
        parts = [f"chủ trì: {t.lead}" if t.lead else "", f"thời hạn: {t.deadline_text}" if t.deadline_text else ""]
        detail = "; ".join(p for p in parts if p)
        lines.append(f"  - [{t.no or '?'}] {_cut(t.content)}" + (f" ({detail})" if detail else ""))
    if len(parsed.tasks) > max_tasks:
        lines.append(f"  … và {len(parsed.tasks) - max_tasks} nhiệm vụ khác")
    lines += [f"Cảnh báo: {w}" for w in parsed.warnings]
    return "\n".join(lines)


def _cut(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n].rsplit(" ", 1)[0] + "…"
