"""index.loaders: .txt/.md/.docx/.pdf in, raw text out; bad files refused with the right error."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest

from index.errors import EmptyDocument, TooLarge, UnsupportedFile
from index.loaders import SUPPORTED, load_text, load_text_with_warnings
from index.parse import parse_file
from index.text import normalize

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

HEAD = """UBND TỈNH NGHỆ AN
SỞ THỬ NGHIỆM
Số: 12/KH-STN
Nghệ An, ngày 05 tháng 3 năm 2026
KẾ HOẠCH
Thử nghiệm nạp tài liệu

I. MỤC ĐÍCH
1. Mục đích
Kiểm tra việc đọc tệp Word và PDF.

Nơi nhận:
- Lưu: VT.

GIÁM ĐỐC

Trần Văn Thử

PHỤ LỤC 1
DANH MỤC NHIỆM VỤ"""
ROWS = [
    ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
    ["I", "Nhóm nhiệm vụ chung", "", "", ""],
    ["1", "Xây dựng cơ sở dữ liệu cán bộ", "Văn phòng Sở", "Phòng Tổ chức", "Quý II/2026"],
    ["2", "Tập huấn kỹ năng số", "Phòng Tổ chức", "Văn phòng Sở", "Tháng 6/2026"],
    ["3", "Số hóa hồ sơ lưu trữ", "Phòng Lưu trữ", "Các phòng", "Thường xuyên"],
]
PLAN_TXT = HEAD + "\n" + "\n".join("\t".join(r) for r in ROWS) + "\n"


def _tasks(parsed):
    return [(t.no, t.content, t.lead, t.partners, t.deadline) for t in parsed.tasks]


def _write_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    for line in HEAD.split("\n"):
        d.add_paragraph(line)
    table = d.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    group = table.rows[1].cells
    group[1].merge(group[4])           # a group row spans the remaining columns
    table.cell(1, 1).text = ROWS[1][1]
    d.add_paragraph("Trên đây là danh mục nhiệm vụ.")
    d.save(path)


def _write_pdf(path: Path, lines: list[str] | None = None, with_text: bool = True) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    c = canvas.Canvas(str(path), pagesize=A4)
    if not with_text:
        c.rect(100, 500, 300, 200, fill=1)      # a "scan": an image-like drawing, no text layer
        c.save()
        return
    c.setFont("DejaVu", 9)
    y = 800
    for line in HEAD.split("\n"):
        c.drawString(40, y, line)
        y -= 14
    for row in ROWS:
        for x, cell in zip((40, 70, 250, 340, 430), row):
            c.drawString(x, y, cell)
        y -= 14
    c.save()


@pytest.fixture(scope="module")
def txt_tasks(tmp_path_factory):
    path = tmp_path_factory.mktemp("txt") / "plan.txt"
    path.write_text(PLAN_TXT, encoding="utf-8")
    tasks = _tasks(parse_file(path))
    assert len(tasks) == 3
    return tasks


def test_docx_keeps_order_and_tables_and_round_trips(tmp_path, txt_tasks):
    path = tmp_path / "plan.docx"
    _write_docx(path)
    text = load_text(path)
    assert text.index("DANH MỤC NHIỆM VỤ") < text.index("TT\tNhiệm vụ") < text.index("Trên đây là")
    assert "I\tNhóm nhiệm vụ chung\t\t\t" in text.split("\n")        # merged cell once, columns kept
    assert "1\tXây dựng cơ sở dữ liệu cán bộ\tVăn phòng Sở\tPhòng Tổ chức\tQuý II/2026" in text
    parsed = parse_file(path)
    assert _tasks(parsed) == txt_tasks
    assert parsed.document.number == "12/KH-STN"


@pytest.mark.skipif(not FONT.exists(), reason="DejaVuSans.ttf (Vietnamese glyphs) is not installed")
def test_pdf_text_layer_round_trips(tmp_path, txt_tasks):
    path = tmp_path / "plan.pdf"
    _write_pdf(path)
    assert "Số: 12/KH-STN" in load_text(path)
    parsed = parse_file(path)
    assert _tasks(parsed) == txt_tasks
    assert (parsed.document.number, parsed.document.date, parsed.document.signer) == (
        "12/KH-STN", "2026-03-05", "Trần Văn Thử")


def test_image_only_pdf_is_an_empty_document(tmp_path):
    path = tmp_path / "scan.pdf"
    _write_pdf(path, with_text=False)
    with pytest.raises(EmptyDocument, match="lớp văn bản"):
        load_text(path)


def test_wrong_magic_bytes_are_refused(tmp_path):
    fake_pdf = tmp_path / "really-a-zip.pdf"
    with zipfile.ZipFile(fake_pdf, "w") as zf:
        zf.writestr("a.txt", "xin chào")
    with pytest.raises(UnsupportedFile, match="not a PDF"):
        load_text(fake_pdf)
    fake_docx = tmp_path / "not-a-zip.docx"
    fake_docx.write_text("Kế hoạch", encoding="utf-8")
    with pytest.raises(UnsupportedFile, match="not a Word document"):
        load_text(fake_docx)
    zip_not_word = tmp_path / "other.docx"
    zip_not_word.write_bytes(fake_pdf.read_bytes())
    with pytest.raises(UnsupportedFile):
        load_text(zip_not_word)
    binary_txt = tmp_path / "binary.txt"
    binary_txt.write_bytes(b"%PDF-1.4 \x00\x01")
    with pytest.raises(UnsupportedFile):
        load_text(binary_txt)


def test_unsupported_extension_names_the_supported_ones(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFile) as err:
        load_text(path)
    assert all(ext in err.value.message for ext in SUPPORTED)


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  "])
def test_empty_and_blank_files(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyDocument):
        load_text(path)


def test_oversize_file(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Kế hoạch " * 200, encoding="utf-8")
    with pytest.raises(TooLarge):
        load_text(path, max_bytes=100)


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
        zf.writestr("word/media/padding.bin", b"\0" * 30_000_000)     # ~1000x compression
    path = tmp_path / "bomb.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(TooLarge, match="ratio"):
        load_text(path)


def _cp1258(text: str) -> bytes:
    """cp1258 stores a vowel with its hat/horn precomposed and the tone as a combining mark."""
    out = b""
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        hats = "".join(m for m in d[1:] if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in d[1:] if m not in hats)
        out += (unicodedata.normalize("NFC", d[0] + hats) + tones).encode("cp1258")
    return out


def test_legacy_encoding_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(_cp1258("Kế hoạch số 12 của Sở Nội vụ"))
    text, warnings = load_text_with_warnings(path)
    assert normalize(text) == "Kế hoạch số 12 của Sở Nội vụ\n"
    assert "cp1258" in warnings[0]
    assert "cp1258" in parse_file(path).warnings[0]


def test_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeffKẾ HOẠCH".encode("utf-8"))
    assert load_text(path) == "KẾ HOẠCH"
