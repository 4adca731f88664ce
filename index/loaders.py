"""Raw text out of the files a plan arrives in: .txt/.md, .docx and .pdf.

Kept apart from the rest of :mod:`index` so that opening an index for a query never
imports python-docx or pypdf. Every refusal is a :mod:`index.errors` exception with a
bilingual "Vietnamese / English" message, so the API and the CLI can show it as is.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from index.errors import EmptyDocument, TooLarge, UnsupportedFile

SUPPORTED = (".txt", ".md", ".docx", ".pdf")
MAX_UNZIPPED = 200_000_000      # a real .docx plan is a few MB once unpacked
MAX_ZIP_RATIO = 100             # text XML compresses ~10x; 100x means a crafted archive

_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"


def load_text(path: Path, max_bytes: int = 20_000_000) -> str:
    """The raw text of a plan file (not yet normalized); see :func:`load_text_with_warnings`."""
    return load_text_with_warnings(path, max_bytes)[0]


def load_text_with_warnings(path: Path, max_bytes: int = 20_000_000) -> tuple[str, list[str]]:
    """Raw text plus warnings (e.g. a legacy encoding was guessed).

    Raises UnsupportedFile (extension or content not supported), TooLarge (file or unpacked
    archive too big) or EmptyDocument (no text at all, e.g. a scanned PDF).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise UnsupportedFile(
            f"Định dạng tệp không được hỗ trợ: '{ext or path.name}'. Hỗ trợ: {', '.join(SUPPORTED)} / "
            f"unsupported file type '{ext or path.name}'; supported: {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(f"Tệp quá lớn ({size:,} byte > {max_bytes:,}) / file too large "
                       f"({size:,} bytes > {max_bytes:,}): {path.name}")
    data = path.read_bytes()
    _check_magic(data, ext, path.name)
    warnings: list[str] = []
    if ext == ".docx":
        text = _docx_text(data, path.name)
    elif ext == ".pdf":
        text = _pdf_text(data, path.name)
    else:
        text, enc_warning = _decode(data, path.name)
        warnings += [enc_warning] if enc_warning else []
    if not text.strip():
        raise EmptyDocument(f"Tệp không có nội dung văn bản / the file has no text: {path.name}")
    return text, warnings


def _check_magic(data: bytes, ext: str, name: str) -> None:
    """Refuse content that does not match its extension (renamed or corrupt uploads)."""
    head = data[:1024]
    if ext == ".pdf" and _PDF_MAGIC not in head:
        kind = "tệp nén ZIP/DOCX / a ZIP/DOCX archive" if head.startswith(_ZIP_MAGIC) else "không phải PDF / not a PDF"
        raise UnsupportedFile(f"Tệp .pdf không đúng định dạng PDF ({kind}): {name} / "
                              f"the .pdf file is not a PDF document: {name}")
    if ext == ".docx" and not head.startswith(_ZIP_MAGIC):
        raise UnsupportedFile(f"Tệp .docx không phải tài liệu Word hợp lệ (không phải tệp ZIP): {name} / "
                              f"the .docx file is not a Word document (not a ZIP archive): {name}")
    if ext in (".txt", ".md") and (head.startswith(_ZIP_MAGIC) or head.startswith(_PDF_MAGIC) or b"\x00" in head):
        raise UnsupportedFile(f"Tệp {ext} chứa dữ liệu nhị phân, không phải văn bản: {name} / "
                              f"the {ext} file holds binary data, not text: {name}")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 first; legacy Vietnamese Windows files are cp1258 (reported, since a wrong
    guess garbles diacritics)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace"), ""
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
        return text, (f"Tệp không phải UTF-8, đã đọc theo mã cp1258: {name} / "
                      f"file is not UTF-8, decoded as cp1258: {name}")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), (
            f"Tệp có byte không hợp lệ, đã thay bằng '\ufffd': {name} / "
            f"file has invalid bytes, replaced with '\ufffd': {name}")


# ---------------------------------------------------------------- docx

def _docx_text(data: bytes, name: str) -> str:
    """Paragraphs and tables in document order; one table row per line, cells joined by tabs."""
    _check_zip(data, name)
    import docx  # python-docx: imported only when a .docx is really read
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types on broken files
        raise UnsupportedFile(f"Không đọc được tệp Word: {name} / cannot read the Word file: {name}",
                              detail=str(exc)) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _check_zip(data: bytes, name: str) -> None:
    """Zip-bomb guard: add up the declared sizes before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile(f"Tệp .docx bị hỏng: {name} / the .docx archive is corrupt: {name}") from exc
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNZIPPED or unpacked / packed > MAX_ZIP_RATIO:
        raise TooLarge(f"Tệp .docx giải nén quá lớn ({unpacked:,} byte, tỉ lệ nén {unpacked / packed:.0f}x): {name} / "
                       f"the .docx unpacks too large ({unpacked:,} bytes, ratio {unpacked / packed:.0f}x): {name}")
    if "word/document.xml" not in names:
        raise UnsupportedFile(f"Tệp ZIP không phải tài liệu Word: {name} / the archive is not a Word document: {name}")


def _table_lines(table) -> list[str]:
    """A merged cell appears once; the grid columns it spans (and the rows a vertical merge
    covers) stay as empty cells so later columns keep their position."""
    lines, seen = [], set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            # keep the element itself: lxml keeps one proxy per live element, so identity holds
            tc = cell._tc
            cells.append("" if tc in seen else _cell_text(cell))
            seen.add(tc)
        lines.append("\t".join(cells))
    return lines


def _cell_text(cell) -> str:
    # a cell may hold several paragraphs; tabs/newlines inside would break the row format
    return " ".join(p.strip() for p in cell.text.replace("\t", " ").split("\n") if p.strip())


# ---------------------------------------------------------------- pdf

def _pdf_text(data: bytes, name: str) -> str:
    """The text layer of every page; a PDF without one is a scan we cannot read (no OCR here)."""
    from pypdf import PdfReader  # imported only when a PDF is really read
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFile(f"PDF được mã hóa, cần mật khẩu: {name} / the PDF is encrypted: {name}")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnsupportedFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnsupportedFile(f"Không đọc được tệp PDF: {name} / cannot read the PDF: {name}",
                              detail=str(exc)) from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise EmptyDocument(f"PDF không có lớp văn bản (ảnh scan): {name} / PDF has no text layer (scanned image): {name}")
    return text
