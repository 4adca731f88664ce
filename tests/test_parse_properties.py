"""Property tests: any text, however broken, parses without an exception and keeps the span
invariants; normalize is idempotent on its own output."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.parse import parse_text
from index.text import fold, normalize

ALPHABET = ("abcdeghiklmnopqrstuvxyĐđăâêôơưàáảãạầấẩẫậằắẳẵặèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
            "ABCDEGHIKLMNOPQRSTUVXYẾỆỌỘỨ0123456789 .,;:()/-–+*#|\t\n\r\u00a0\ufeff$%\\<>_\"“”…")
SNIPPETS = ["I. ", "II. ", "III- ", "IV.", "1. ", "1.1. ", "2.3 ", "a) ", "đ) ", "- ", "+ ", "Điều 1. ",
            "PHỤ LỤC", "Phụ lục 2", "Phụ lục II", "STT", "TT\tNhiệm vụ\tChủ trì", "| TT | Nội dung |",
            "|---|---|", "\t", "Số: 12/KH-UBND", "Số: /KH-", "Sb: 3469 /KH — SNV", "Nghệ An, ngày ",
            "ngày tháng 02 năm 2026", "KẾ HOẠCH", "KE HOACH", "Nơi nhận:", "GIÁM ĐỐC", "KT. CHÁNH VĂN PHÒNG",
            "TM. ỦY BAN NHÂN DÂN", "Nguyễn Văn An", "(Kèm theo Kế hoạch số ", " của ", " ban hành Kế hoạch ",
            r"$\geq 80\%$", "**", "<i>", "</i>", "<br>", "\\-", "\n\n", "# ", "## ", "Thường xuyên", "Quý II/2026"]

documents = st.lists(st.one_of(st.text(alphabet=ALPHABET, max_size=40), st.sampled_from(SNIPPETS)),
                     max_size=60).map("".join)
anything = st.one_of(documents, st.text(max_size=300))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_parse_text_never_raises_and_keeps_spans(raw):
    parsed = parse_text(raw, "doc")
    assert not [w for w in parsed.warnings if "Lỗi ở bước" in w], parsed.warnings
    text = parsed.text
    ids = [c.id for c in parsed.chunks]
    assert len(ids) == len(set(ids))
    for c in parsed.chunks:
        assert 0 <= c.span[0] < c.span[1] <= len(text)
        assert c.text == text[c.span[0]:c.span[1]]
    for s in parsed.sections:
        assert 0 <= s.span[0] <= s.span[1] <= len(text)
    for field, (s, e) in parsed.document.field_spans.items():
        assert 0 <= s <= e <= len(text), field


@settings(max_examples=500, deadline=None)
@given(anything)
def test_normalize_is_idempotent(raw):
    once = normalize(raw)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fold_keeps_length_of_normalized_text(raw):
    text = normalize(raw)
    assert len(fold(text)) == len(text)
