"""Appendix tables → tasks and indicators (index/tables.py), on the real seed plans in
corpus/, the public govdocs transcriptions (shared/data/govdocs) and small synthetic tables
for the layouts the seeds do not show."""
from __future__ import annotations

import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from index.models import Section
from index.tables import extract_tables, section_path
from index.text import normalize

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOVDOCS = Path(os.environ.get("PLANQA_GOVDOCS", ROOT.parent / "shared" / "data" / "govdocs"))

SNV_2026 = "snv-kh-2026-khcn-cds.txt"
VPUB = "vpubnd-kh-2026-trien-khai-nq71-nq57.txt"
XA = "xa-nghia-dan-kh-2025-thuc-hien-nq57.txt"

needs_govdocs = pytest.mark.skipif(
    not GOVDOCS.is_dir(), reason=f"govdocs evaluation data not found at {GOVDOCS} (set PLANQA_GOVDOCS)")


@lru_cache(maxsize=None)
def parse(path: Path):
    text = normalize(path.read_text(encoding="utf-8"))
    tasks, indicators, warnings = extract_tables(text, path.stem, [])
    return text, tasks, indicators, warnings


def seed(name: str):
    return parse(CORPUS / name)


def govdoc(prefix: str):
    return parse(next(GOVDOCS.glob(f"{prefix}_*.md")))


def task(tasks, group_prefix: str, no: str):
    [found] = [t for t in tasks if t.no == no and (t.group + " ").startswith(group_prefix + " ")]
    return found


# ---------------------------------------------------------------- counts per file

@pytest.mark.parametrize("name, n_tasks, n_indicators", [
    (SNV_2026, 34, 0),          # Phụ lục 1: 30 rows in groups I–VI (V has 5.1–5.4), Phụ lục 2: 4 rows (A, B)
    (VPUB, 9, 13),              # Phụ lục 1: 13 indicators × 5 target years, Phụ lục 2: 5 + 4 tasks
    (XA, 25, 0),                # broken PDF extraction, rows "1 1" … "25 4"
    ("snv-3469-kh-2025-trien-khai-nq71-nq57.txt", 0, 0),       # no table at all
    ("snv-3469-kh-2025-trien-khai-nq71-nq57-ocr.txt", 0, 0),
])
def test_counts_per_seed(name, n_tasks, n_indicators):
    _, tasks, indicators, _ = seed(name)
    assert (len(tasks), len(indicators)) == (n_tasks, n_indicators)


@needs_govdocs
@pytest.mark.parametrize("prefix, n_tasks, n_indicators", [
    ("01", 140, 57),    # Phụ lục II: 140 task rows (+3 continuation rows merged); Phụ lục I: 57 rows
    ("02", 140, 0),
    ("03", 0, 57),      # indicator table with a "chủ trì" column: not tasks
    ("04", 37, 0),      # progress report, columns in another order
    ("05", 0, 0),       # bullet lists, no tables
    ("06", 0, 0),
    ("07", 0, 0),       # pipe tables used only for header/signature layout
])
def test_counts_per_govdoc(prefix, n_tasks, n_indicators):
    _, tasks, indicators, _ = govdoc(prefix)
    assert (len(tasks), len(indicators)) == (n_tasks, n_indicators)


# ---------------------------------------------------------------- tab-separated tables

def test_four_layer_row_tab_table():
    _, tasks, _, _ = seed(SNV_2026)
    row = task(tasks, "VI", "1")
    assert row.group == "VI Nhóm nhiệm vụ bảo đảm an ninh mạng và chủ quyền số"
    assert row.content.startswith('Phôi hợp triển khai mô hình bảo đảm an toàn thông tin "4 lớp"')
    assert row.lead == "Văn phòng, các phòng CM liên quan"
    assert row.expected_result == 'Các hệ thống thông tin được bảo đảm theo mô hình "4 lớp"'
    assert (row.deadline_text, row.deadline) == ("Tháng 4/2026", "2026-04")
    assert row.note == "Cập nhật bổ sung KH 04-KH/BCĐTW"


def test_row_continued_after_repeated_header_is_merged_cell_by_cell():
    text, tasks, _, _ = seed(SNV_2026)
    row = task(tasks, "IV", "1")
    assert row.content == ("Xây dựng danh mục nhiệm vụ đột phá năm 2026, tổ chức đặt hàng nhiệm vụ khoa học, "
                           "công nghệ và đổi mới sáng tạo để giải quyết ngay trong năm 2026")
    assert row.lead == "Phòng Cải cách hành chính và Văn thư lưu trữ"
    assert row.expected_result == "Các bài toán lớn được lựa chọn và thực hiện"
    assert (row.deadline_text, row.deadline) == ("Quý I/2026", "2026-Q1")
    assert row.note == "Cập nhật bổ sung từ CTCT 02-CTr/BCĐTW"
    quote = text[row.span[0]:row.span[1]]
    assert quote.startswith("1\tXây dựng danh mục") and quote.endswith("sung từ CTCT 02-CTr/BCĐTW")
    # a continuation carrying one word in one cell, and one that completes a hyphenated code
    assert task(tasks, "VI", "4").content.endswith("sau khi có Kế hoạch UBND tỉnh")
    assert task(tasks, "V Chuyển đổi số > 5.4", "2").note == "Cập nhật bổ sung từ CTCT 02-CTr/BCĐTW"


def test_nested_groups_and_header_word_columns():
    _, tasks, _, _ = seed(SNV_2026)
    row = task(tasks, "V Chuyển đổi số > 5.2 Dữ liệu số", "2")
    assert row.deadline_text == "Theo tiến độ quy định trong NQ" and row.deadline == ""
    assert [t.no for t in tasks if t.group == "V Chuyển đổi số > 5.2 Dữ liệu số"] == list("12345678")
    # Phụ lục 2: "Tên cơ quan, đơn vị" comes before the task and is its lead; "Dự kiến sản phẩm" the result
    breakthrough = task(tasks, "B", "2")
    assert breakthrough.lead == "Phòng Cải cách hành chính và Văn thư lưu trữ"
    assert breakthrough.content.startswith("Giải pháp Phát triển, nâng cấp, tích hợp các modul")
    assert breakthrough.expected_result.startswith("Mô-đun khảo sát trực tuyến")
    assert task(tasks, "A", "1").group == "A CÁC NHÓM ĐỘT PHÁ CHUNG TRIỂN KHAI TRÊN DIỆN RỘNG"


def test_indicator_table_with_target_years_and_latex_values():
    _, _, indicators, _ = seed(VPUB)
    by_no = {i.no: i for i in indicators}
    assert [i.no for i in indicators] == [str(n) for n in range(1, 14)]
    first = by_no["1"]
    assert first.name.startswith("Tỷ lệ thủ tục hành chính được tiếp nhận và trả kết quả")
    assert first.targets == {"2025": "≥ 70%", "2030": "100%", "2035": "100%", "2040": "100%", "2045": "100%"}
    assert first.owner == "Trung tâm Phục vụ hành chính công" and first.unit == "%"
    assert by_no["4"].targets == {"2030": "≥ 80%"}                 # empty cells are skipped
    assert by_no["12"].targets["2025"] == "≥ 80%"                  # was $\geq 80\%$
    assert by_no["13"].targets == {"2025": "≥ 70%", "2030": "≥ 85%", "2035": "≥ 95%",
                                   "2040": "≥ 100%", "2045": "100%"}
    assert by_no["10"].owner == "Trung tâm Phục vụ hành chính công và Cổng TTĐT"


def test_task_table_of_the_same_plan():
    _, tasks, _, _ = seed(VPUB)
    first = task(tasks, "I", "1")
    assert first.group.startswith("I Công tác lãnh đạo, chỉ đạo; nâng cao nhận thức")
    assert (first.lead, first.partners) == ("Phòng Hành chính - Quản trị", "Các phòng, ban, đơn vị")
    assert (first.deadline_text, first.deadline) == ("Năm 2026 và giai đoạn tiếp theo", "2026+")
    fifth = task(tasks, "I", "5")
    assert (fifth.partners, fifth.deadline) == ("", "thường xuyên")
    assert task(tasks, "II", "1").lead == "Cổng Thông tin điện tử"
    assert task(tasks, "II", "1").deadline == "hằng năm"


# ---------------------------------------------------------------- the broken PDF table

def test_four_layer_row_broken_pdf_table():
    _, tasks, _, _ = seed(XA)
    row = task(tasks, "V", "21")
    assert row.content.startswith("Đẩy mạnh triển khai các hoạt động đảm bảo an toàn thông tin theo mô hình “4 lớp”")
    assert (row.lead, row.main_unit, row.partners) == ("UBND xã", "Phòng VH-XH", "Các ban, ngành, đoàn thể")
    assert (row.deadline_text, row.deadline) == ("2025", "2025")
    assert row.group.startswith("V Đẩy mạnh chuyển đối số, ứng dụng khoa học")


def test_broken_pdf_rows_numbered_and_grouped():
    _, tasks, _, warnings = seed(XA)
    assert [t.no for t in tasks] == [str(n) for n in range(1, 26)]
    assert Counter(t.group.split()[0] for t in tasks) == {"I": 6, "II": 2, "III": 6, "IV": 4, "V": 3, "VI": 4}
    assert all(t.lead == "UBND xã" for t in tasks)
    assert not warnings


@pytest.mark.parametrize("no, main_unit, partners, deadline_text, deadline", [
    ("1", "Phòng VH-XH", "Các ban, ngành, đoàn thể", "Thường xuyên", "thường xuyên"),
    ("3", "Phòng VH-XH", "Các ban ngành đoàn thể, CV xã",
     "Sau khi Đề án của Bộ Nội vụ được phê duyệt và hướng dẫn của tỉnh", ""),
    ("4", "Phòng VH-XH", "Các ban ngành đoàn thể, CV xã; các khối, xóm", "Kế hoạch công tác hằng năm", "hằng năm"),
    ("5", "Phòng VH-XH; VP HĐND-UBND", "Các ban ngành đoàn thể; các khối, xóm", "Năm 2025", "2025"),
    ("7", "Phòng VH-XH; VP HĐND-UBND", "Các ban, ngành, đoàn thể",
     "Triển khai theo hướng dẫn của cấp có thẩm quyền", ""),
    ("10", "Phòng Kinh tế; Phòng VH-XH", "Các ban, ngành, đoàn thể", "Thường xuyên", "thường xuyên"),
    ("11", "Phòng Kinh tế", "Các ban, ngành, đoàn thể", "Thường xuyên", "thường xuyên"),
    ("12", "Phòng VH-XH", "Các ban, ngành, đoàn thể", "Khi tỉnh ban hành Kế hoạch", ""),
    ("18", "Các nhà trường", "Các ban, ngành, đoàn thể", "Thường xuyên", "thường xuyên"),
    ("19", "VP HĐND - UBND", "Các ban, ngành, đoàn thể", "2025", "2025"),
    ("24", "Phòng Kinh tế", "Các ban, ngành, đoàn thể", "Cả năm", "hằng năm"),
    ("25", "Phòng VH-XH", "Các ban, ngành, đoàn thể, các khối, xóm", "2025", "2025"),
])
def test_broken_pdf_cells(no, main_unit, partners, deadline_text, deadline):
    _, tasks, _, _ = seed(XA)
    [row] = [t for t in tasks if t.no == no]
    assert (row.main_unit, row.partners, row.deadline_text, row.deadline) == (main_unit, partners, deadline_text, deadline)


def test_broken_pdf_rows_split_by_a_page_break():
    text, tasks, _, _ = seed(XA)
    by_no = {t.no: t for t in tasks}
    # content and deadline both continue after the repeated header ("Ghi chú quyền ban hành … của tỉnh.")
    second = by_no["2"]
    assert second.content.endswith("được cấp có thẩm quyền ban hành; định kỳ đo lường, công bố công khai kết quả.")
    assert second.deadline_text == "Sau khi Quyết định của Thủ tướng Chính phủ được ban hành và hướng dẫn của tỉnh."
    assert text[second.span[0]:second.span[1]].endswith("của tỉnh.")
    # cells that start in the middle of a content line, deadline finished on the next page
    ninth = by_no["9"]
    assert ninth.content.endswith("nền tảng số dùng chung của ngành, lĩnh vực đảm bảo hoạt động thống nhất, "
                                  "liên thông trên môi trường số.")
    assert (ninth.main_unit, ninth.deadline_text, ninth.deadline) == ("Phòng VH-XH", "Năm 2025 và các năm tiếp theo", "2025+")
    fourteenth = by_no["14"]
    assert fourteenth.content == ("Số hóa, tạo lập cơ sở dữ liệu về hồ sơ, kết quả giải quyết thủ tục hành chính "
                                  "lĩnh vực hộ tịch, nuôi con nuôi tại xã.")
    assert (fourteenth.main_unit, fourteenth.deadline_text) == ("VP HĐND-UBND", "2025")
    assert by_no["22"].content.startswith("Phát triển kinh tế số trong lĩnh vực Thương mại điện tử: 100% sản phẩm OCOP")


# ---------------------------------------------------------------- govdocs (Markdown pipe tables)

@needs_govdocs
def test_govdoc_01_task_table():
    _, tasks, _, _ = govdoc("01")
    assert [t.no for t in tasks] == [str(n) for n in range(1, 141)]
    assert Counter(t.group.split()[0] for t in tasks).keys() == {"I", "II", "III", "IV", "V", "VI", "VII"}
    first = tasks[0]
    assert first.lead == "Bộ Thông tin và Truyền thông"
    assert first.partners.startswith("Ban Tuyên giáo Trung ương")
    assert first.expected_result and first.deadline_text
    deadlines = Counter(t.deadline_text for t in tasks)
    assert deadlines["2025"] == 59 and deadlines["12/2025"] == 13 and deadlines["Thường xuyên"] == 12
    assert deadlines["6/2025"] == 11
    by_no = {t.no: t for t in tasks}     # the three continuation rows with an empty TT cell
    assert "(5) Ứng dụng dữ liệu dân cư, căn cước công dân" in by_no["108"].content
    assert by_no["110"].content.endswith("trực tiếp từ phần mềm của cơ sở khám chữa bệnh")
    assert by_no["128"].content.endswith("trưc tuyến và định kỳ tổ chức đánh giá, công bố kết quả.")


@needs_govdocs
@pytest.mark.parametrize("prefix", ["01", "03"])
def test_govdoc_indicator_table_single_result_column(prefix):
    _, _, indicators, _ = govdoc(prefix)
    by_no = {i.no: i for i in indicators}
    assert len(by_no) == 57 and {"11.1", "11.12", "23.4", "41"} <= by_no.keys()
    assert by_no["11.1"].targets == {"2030": "≥ 80"}          # year from the group row "Đến năm 2030"
    assert (by_no["11.1"].unit, by_no["11.1"].owner) == ("%", "Bộ Thông tin và Truyền thông")
    assert by_no["36"].targets == {"2045": "≥ 50"}            # group row "Đến năm 2045"
    assert by_no["11"].targets == {}                          # parent row without a value


@needs_govdocs
def test_govdoc_04_progress_report_columns_in_another_order():
    _, tasks, _, _ = govdoc("04")
    status = Counter(t.note.split(";")[0] for t in tasks)
    assert status == {"Tiến độ: Hoàn thành": 21, "Tiến độ: Đang thực hiện": 14, "Tiến độ: Quá hạn": 2}
    assert Counter(t.deadline for t in tasks) == {"2025-05": 26, "2025-03": 6, "2025-04": 5}
    first = tasks[0]
    assert first.lead == "Bộ Khoa học và Công nghệ"              # "CƠ QUAN THỰC HIỆN"
    assert first.expected_result == "Quyết định của Thủ tướng Chính phủ"   # "KẾT QUẢ YÊU CẦU"
    assert "Kết quả hiện nay:" in first.note


# ---------------------------------------------------------------- spans and sections

ALL_SEEDS = sorted(p.name for p in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("name", ALL_SEEDS)
def test_every_span_starts_at_its_row_and_holds_its_content(name):
    text, tasks, indicators, _ = seed(name)
    for item in tasks + indicators:
        start, end = item.span
        assert 0 <= start < end <= len(text)
        quote = text[start:end]
        assert quote.lstrip("| ").startswith(item.no), (item.no, quote[:40])
        head = item.content if hasattr(item, "content") else item.name
        first_words = " ".join(head.split()[:4])
        assert first_words in re.sub(r"\s+", " ", quote), (item.no, first_words)


def _appendix_sections(text: str) -> list[Section]:
    pl1, pl2 = text.index("PHỤ LỤC 1"), text.index("PHỤ LỤC 2")
    return [
        Section("s0", ["PL1"], "PHỤ LỤC 1", (pl1, pl2), is_appendix=True),
        Section("s1", ["PL2"], "PHỤ LỤC 2", (pl2, len(text)), is_appendix=True),
        Section("s2", ["PL2", "x"], "", (pl2, pl2 + 10), level=1, is_appendix=True),
    ]


def test_section_path_is_the_innermost_section_of_the_row_start():
    text, _, _, _ = seed(VPUB)
    sections = _appendix_sections(text)
    tasks, indicators, _ = extract_tables(text, "vpub", sections)
    assert {tuple(i.section_path) for i in indicators} == {("PL1",)}
    assert {tuple(t.section_path) for t in tasks} == {("PL2",)}
    assert section_path(sections, text.index("PHỤ LỤC 2") + 2) == ["PL2", "x"]
    assert section_path(sections, 0) == [] and section_path([], 5) == []


# ---------------------------------------------------------------- layouts the seeds do not show

def test_pipe_row_broken_by_br_and_columns_in_any_order():
    md = ("| Thời hạn | Đơn vị phối hợp | Nội dung công việc | STT | Đơn vị chủ trì |\n"
          "|---|---|---|:-:|---|\n"
          "| | | **A. NHIỆM VỤ CHUNG** | | |\n"
          "| Quý III/2025 | Các sở, ngành<br>UBND cấp xã | Xây dựng kế hoạch<br>triển khai | 1 | Sở Nội vụ |\n")
    text = normalize(md)
    tasks, indicators, _ = extract_tables(text, "md", [])
    assert indicators == [] and len(tasks) == 1
    row = tasks[0]
    assert (row.no, row.content, row.lead) == ("1", "Xây dựng kế hoạch triển khai", "Sở Nội vụ")
    assert (row.partners, row.deadline) == ("Các sở, ngành; UBND cấp xã", "2025-Q3")
    assert text[row.span[0]:row.span[1]].startswith("| Quý III/2025")


def test_docx_rows_with_merged_group_cells():
    rows = ["STT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian",
            "I. Nhóm một\tI. Nhóm một\tI. Nhóm một\tI. Nhóm một\tI. Nhóm một",
            "1\tLàm A\tSở A\tSở B\t2025",
            "II\tNhóm hai\tNhóm hai\tNhóm hai\tNhóm hai",
            "1.1\tNhóm con",
            "2\tLàm B\tSở C\t\tHằng năm",
            "Trang cuối không thuộc bảng",
            "3\tKhông thuộc bảng\tSở D"]
    tasks, _, _ = extract_tables(normalize("\n".join(rows)), "docx", [])
    assert [(t.no, t.group, t.lead) for t in tasks] == [
        ("1", "I Nhóm một", "Sở A"), ("2", "II Nhóm hai > 1.1 Nhóm con", "Sở C")]


def test_numbered_heading_rows_over_lettered_items_become_groups():
    rows = ["TT\tNhiệm vụ\tCơ quan chủ trì\tThời gian",
            "1\tNhóm nhiệm vụ thể chế",
            "a)\tSửa quy chế\tSở A\t2025",
            "b)\tBan hành hướng dẫn\tSở B\tQuý I/2026",
            "2\tNhóm nhiệm vụ hạ tầng",
            "a)\tNâng cấp mạng\tSở C\t2026",
            "3\tMột nhiệm vụ thường\tSở D\t2027"]
    tasks, _, _ = extract_tables(normalize("\n".join(rows)), "d", [])
    assert [(t.no, t.group, t.lead) for t in tasks] == [
        ("a", "1 Nhóm nhiệm vụ thể chế", "Sở A"), ("b", "1 Nhóm nhiệm vụ thể chế", "Sở B"),
        ("a", "2 Nhóm nhiệm vụ hạ tầng", "Sở C"), ("3", "", "Sở D")]


def test_indicator_table_single_value_column_without_year():
    text = normalize("TT\tChỉ tiêu\tĐơn vị tính\tMục tiêu\tCơ quan chủ trì theo dõi\n"
                     "1\tTỷ lệ hồ sơ trực tuyến\t%\t≥ 90\tSở A\n")
    tasks, indicators, _ = extract_tables(text, "d", [])
    assert tasks == []
    assert [(i.name, i.unit, i.targets, i.owner) for i in indicators] == [("Tỷ lệ hồ sơ trực tuyến", "%", {"": "≥ 90"}, "Sở A")]


def test_progress_column_is_the_deadline_when_there_is_no_time_column():
    text = normalize("TT\tNhiệm vụ\tCơ quan chủ trì\tTiến độ\n1\tLàm A\tSở A\tQuý II/2026\n")
    [row], _, _ = extract_tables(text, "d", [])
    assert (row.deadline_text, row.deadline) == ("Quý II/2026", "2026-Q2")


def test_table_with_unknown_columns_is_ignored_with_a_warning():
    text = normalize("TT\tNhiệm vụ\tABC\tXYZ\n1\tLàm A\tfoo\tbar\n"
                     "STT\tNội dung\tĐơn vị\n1\tLàm B\tx\n")
    tasks, indicators, warnings = extract_tables(text, "d", [])
    assert tasks == [] and indicators == []
    assert any("tiêu đề cột không rõ nghĩa" in w for w in warnings)


def test_broken_pdf_table_single_number_column_and_folded_text():
    pdf = "\n".join([
        "STT", "Nhiem vu Co quan chu tri", "Co quan phoi hop Thoi gian", "hoan thanh",
        "I", "Nhom nhiem vu chung",
        "1", "To chuc tuyen truyen ve chuyen doi so", "UBND xa Cac ban, nganh Thuong xuyen",
        "2", "Xay dung co so du lieu dan cu cua xa", "Cong an xa Cac ban, nganh Quy II/2026",
        "3",
        "STT", "Nhiem vu Co quan chu tri", "Co quan phoi hop Thoi gian", "hoan thanh",
        "II. Nhom hai",
        "3", "Tap huan ky nang so", "Van phong HDND va UBND Cac to chuc doan the 2026",
    ])
    tasks, _, _ = extract_tables(normalize(pdf), "pdf", [])
    assert [(t.no, t.group, t.lead, t.partners, t.deadline) for t in tasks] == [
        ("1", "I Nhom nhiem vu chung", "UBND xa", "Cac ban, nganh", "thường xuyên"),
        ("2", "I Nhom nhiem vu chung", "Cong an xa", "Cac ban, nganh", "2026-Q2"),
        ("3", "II Nhom hai", "Van phong HDND va UBND", "Cac to chuc doan the", "2026"),
    ]


# ---------------------------------------------------------------- never raises

_PIECES = st.sampled_from([
    "STT", "TT", "TT Chi tiết", "Nội dung", "Cơ quan chủ trì thực hiện", "Phòng thực hiện chính",
    "Cơ quan phối hợp", "Thời gian hoàn thành", "Ghi chú", "Chỉ tiêu", "Năm 2025", "2030", "Kết quả",
    "UBND xã", "Phòng VH-XH", "Các ban, ngành", "VP HĐND-", "I", "II.", "A", "5.1", "1", "21 3", "\t", "|",
    "|---|", "\n", "\n\n", " ", "Quý II/2026", "Sau khi", "Thường xuyên", "của", "Đ", "Ⅳ", "11.1", "PHỤ LỤC",
])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=80).map(" ".join),
                 st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=80).map("".join)))
def test_arbitrary_text_never_raises(raw):
    for text in (raw, normalize(raw)):
        tasks, indicators, warnings = extract_tables(text, "fuzz", [])
        assert all(0 <= x.span[0] < x.span[1] <= len(text) for x in tasks + indicators)
        assert all(isinstance(w, str) for w in warnings)
