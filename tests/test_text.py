"""index.text: the canonical text every span points into."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from index.text import (compact, diacritic_ratio, expand_abbreviations, fold, normalize, sentences,
                        spell_out_shorthand, syllables, toned)


def test_nfc_composes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch số hóa")
    assert normalize(decomposed) == "Kế hoạch số hóa\n"


def test_html_tags_and_markdown_emphasis_are_removed():
    raw = "5.4\t<i>Cung cấp dịch vụ công trực tuyến</i>\n**KT. CHÁNH VĂN PHÒNG**\n*Hà Nội*, ngày 1"
    assert normalize(raw) == "5.4\tCung cấp dịch vụ công trực tuyến\nKT. CHÁNH VĂN PHÒNG\nHà Nội, ngày 1\n"


def test_latex_percentages_become_symbols():
    assert normalize(r"Tỷ lệ đạt $\geq 80\%$ năm 2025") == "Tỷ lệ đạt ≥ 80% năm 2025\n"
    assert normalize(r"$\leq 3$ Đông Nam Á") == "≤ 3 Đông Nam Á\n"


def test_broken_pdf_lines_are_joined_again():
    raw = "- Tổ chức triển khai thực hiện đầy đủ, kịp thời, hiệu quả các mục tiêu, nhiệm \n\nvụ và giải pháp"
    assert normalize(raw) == "- Tổ chức triển khai thực hiện đầy đủ, kịp thời, hiệu quả các mục tiêu, nhiệm vụ và giải pháp\n"
    assert normalize("Nghị quyết 57-\nNQ/TW") == "Nghị quyết 57-NQ/TW\n"


def test_new_items_and_headings_are_not_joined():
    assert normalize("1. Mục đích\n- Xây dựng") == "1. Mục đích\n- Xây dựng\n"
    # an upper-case heading line keeps its own line even when the next starts in lower case
    assert normalize("KẾ HOẠCH\nvề phát triển khoa học") == "KẾ HOẠCH\nvề phát triển khoa học\n"


def test_markdown_escapes_and_glued_emphasis():
    assert normalize(r"**1\.** Thành lập \- kỷ nguyên") == "1. Thành lập - kỷ nguyên\n"
    assert normalize("Phụ lục 2**DANH MỤC CÁC NHIỆM VỤ**") == "Phụ lục 2 DANH MỤC CÁC NHIỆM VỤ\n"


def test_table_rows_keep_their_tabs():
    row = "1\tThành lập Ban Chỉ đạo\tVăn phòng Sở\t\tQuý I/2026"
    assert normalize(row) == row + "\n"


def test_fold_keeps_length_and_offsets():
    s = "Ủy ban nhân dân xã Nghĩa Đàn — KẾ HOẠCH số 3469/KH-SNV"
    f = fold(s)
    assert len(f) == len(s)
    assert f == "uy ban nhan dan xa nghia dan — ke hoach so 3469/kh-snv"
    i = f.index("nghia dan")
    assert s[i:i + 9] == "Nghĩa Đàn"


def test_compact_makes_ocr_and_clean_forms_comparable():
    assert compact("Sở  Nội vụ!") == compact("SỞ NỘI VỤ") == "so noi vu"


def test_diacritic_ratio_separates_clean_from_stripped_text():
    assert diacritic_ratio("Kế hoạch phát triển khoa học") > 0.2
    assert diacritic_ratio("Ke hoach phat trien khoa hoc") == 0.0


def test_sentences_are_exact_spans():
    text = "I. MỤC TIÊU\nTổ chức thực hiện. Bảo đảm tiến độ."
    spans = sentences(text, offset=10)
    pieces = [text[s - 10:e - 10] for s, e in spans]
    assert pieces[-2:] == ["Tổ chức thực hiện.", "Bảo đảm tiến độ."]
    assert all(p == p.strip() and p for p in pieces)


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_normalize_is_idempotent_on_the_seeds(path):
    once = normalize(path.read_text(encoding="utf-8"))
    assert normalize(once) == once


def test_hard_wrapped_lines_stay_one_sentence():
    from index.text import sentences

    text = ("UBND xã đề nghị các phòng định kỳ báo  \ncáo kết quả trước ngày \n10/6 và ngày 20/11 hàng năm.\n"
            "1. Mục tiêu\n- Bảo đảm an toàn\n2) Nội dung\nTT\tNhiệm vụ\nthời hạn\tQuý I")
    got = [text[s:e] for s, e in sentences(text)]
    assert got[0].endswith("20/11 hàng năm.") and got[0].startswith("UBND")
    # items, bullets and table rows still start their own sentence
    assert "- Bảo đảm an toàn" in got and "2) Nội dung" in got
    assert "TT\tNhiệm vụ" in got and "thời hạn\tQuý I" in got


def test_a_semicolon_does_not_end_a_sentence():
    """"… các dự án: Luật Đầu tư, Luật Đầu tư công; Luật Đấu thầu, …": clauses of one item."""
    from index.text import sentences

    text = "Thẩm tra các dự án: Luật Đầu tư, Luật Đầu tư công; Luật Đấu thầu. Nghị quyết này phổ biến đến chi bộ."
    assert [text[s:e] for s, e in sentences(text)] == [
        "Thẩm tra các dự án: Luật Đầu tư, Luật Đầu tư công; Luật Đấu thầu.", "Nghị quyết này phổ biến đến chi bộ."]


def test_a_sentence_broken_by_a_page_break_stays_one_sentence():
    """Blank lines inside a sentence (a PDF page break) after a full-width line ending in a
    word, before text that goes on in lower case or with a number; not before an item."""
    from index.text import sentences

    text = ("- Tham mưu đề xuất UBND tỉnh đưa kết quả thực hiện Nghị quyết 57 và Kế hoạch số\n\n\n"
            "348/KH-UBND vào đánh giá, xếp loại hàng năm.\n\n"
            "- Phối hợp với Sở Khoa học và Công nghệ tôn vinh, khen thưởng kịp thời các\n  \n"
            "nhà khoa học có thành tích.\n\n2. Mục tiêu cụ thể\n\nhàng năm rà soát")
    got = [text[s:e] for s, e in sentences(text)]
    assert got[0].startswith("- Tham mưu") and got[0].endswith("hàng năm.")
    assert got[1].startswith("- Phối hợp") and got[1].endswith("có thành tích.")
    assert "hàng năm rà soát" in got                 # after a short heading line: a new sentence


def test_agency_abbreviations_with_ampersand_stay_whole_and_expand():
    assert syllables(fold("Bộ KH&CN, Sở GD&ĐT và R&D")) == ["bo", "kh&cn", "so", "gd&dt", "va", "r&d"]
    assert "khoa hoc va cong nghe" in expand_abbreviations("bo kh&cn")
    assert "ke hoach" not in expand_abbreviations("bo kh&cn")      # "KH" alone is "kế hoạch"
    # written without the "&" too: "Bộ TTTT", "Sở GDĐT", "Sở TNMT"
    assert "thong tin va truyen thong" in expand_abbreviations(fold("bao cao ve Bộ KHCN và Bộ TTTT"))
    assert "giao duc va dao tao" in expand_abbreviations(fold("Sở GDĐT"))
    assert "tai nguyen va moi truong" in expand_abbreviations(fold("Sở TNMT"))


def test_shorthand_typed_in_questions_is_spelled_out():
    assert spell_out_shorthand("tuyên truyền NQ57 ở xã") == "tuyên truyền NQ 57 ở xã"
    assert spell_out_shorthand("kh3469 giao ai") == "kh 3469 giao ai"
    assert spell_out_shorthand("P. KH-TC đề xuất gì") == "Phòng KH-TC đề xuất gì"
    assert spell_out_shorthand("Tầm nhìn 2045, P. nào") == "Tầm nhìn 2045, P. nào"     # not before a unit
    assert spell_out_shorthand("mạng 5G, 24/7") == "mạng 5G, 24/7"
    # "bao nhiu" as typed in a chat box, accented only when the question is
    assert spell_out_shorthand("thưởng bao nhiu cho mỗi sáng kiến") == "thưởng bao nhiêu cho mỗi sáng kiến"
    assert spell_out_shorthand("thuong bao nhiu") == "thuong bao nhieu"
    assert "nghi dinh" in expand_abbreviations("nd 179/2024 giao ai")


def test_toned_keys_a_syllable_by_letters_and_tone_wherever_the_mark_sits():
    assert toned("hoá") == toned("hóa") == toned("HÓA")
    assert toned("thuỷ") == toned("thủy")
    # the same folded letters, other words: the tone or the vowel's shape tells them apart
    assert len({toned(w) for w in ("quỹ", "quy", "quý")}) == 3
    assert len({toned(w) for w in ("số", "sở", "sổ", "so")}) == 4
    assert toned("quan") == "quan"


def test_spell_out_replaces_abbreviations_where_they_stand():
    from index.text import spell_out_abbreviations

    assert spell_out_abbreviations("phong cchc va van thu") == "phong cai cach hanh chinh va van thu"
    assert spell_out_abbreviations("phong van hoa xa hoi") == "phong van hoa xa hoi"
