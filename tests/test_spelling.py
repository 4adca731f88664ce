"""Typo repair: slips in a question are repaired against the indexed text; real words the
plans never use, acronyms and codes stay as typed."""
from __future__ import annotations

import pytest

from rag.spelling import Speller, lexicon
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def plans_speller() -> Speller:
    return Speller.of(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


@pytest.mark.parametrize("typed, repaired", [
    ("Khi nào phải ohàn thành đề án?", "Khi nào phải hoàn thành đề án?"),            # two letters swapped
    ("Theo kế hoạch xã Nghaĩ Đàn, ai chủ trì?", "Theo kế hoạch xã Nghĩa Đàn, ai chủ trì?"),   # a name, by its pair
    ("Ai phối hợp với Cổgn Thông tin điện tử?", "Ai phối hợp với Cổng Thông tin điện tử?"),  # the accent of that pair
    ("ke hoach cua xa nghai dan", "ke hoach cua xa nghia dan"),                      # unaccented stays unaccented
    ("Teho KH 3469, ai chủ trì?", "Theo KH 3469, ai chủ trì?"),                      # the first word is no name
])
def test_slips_are_repaired_with_the_plans_own_spelling(plans_speller, typed, repaired):
    assert plans_speller.correct(typed) == repaired


@pytest.mark.parametrize("typed", [
    "Kế hoạch chuyển đổi số của tỉnh Bắc Kạn giao đơn vị nào chủ trì?",   # a place the plans never name
    "Ứng dụng blockchain và big data khi nào hoàn thành?",                 # loan words
    "Phòng NCC theo dõi KPI và IOC của tỉnh",                               # acronyms
    "Kế hoạch 3469/KH-SNV ban hành ngày 29/6/2025",                         # codes and dates
])
def test_real_words_acronyms_and_codes_stay_as_typed(plans_speller, typed):
    assert plans_speller.correct(typed) == typed


def test_lexicon_is_underthesea_word_list_folded():
    words = lexicon()
    assert {"nghia", "hoan", "quynh", "truyen"} <= words
    assert not {"ohan", "nghai", "tryuen"} & words


def test_a_question_with_slips_is_answered_like_the_clean_one(engine):
    clean = engine.ask("Đơn vị nào chủ trì mô hình an toàn thông tin 4 lớp?")
    slipped = engine.ask("Đơn vị nào chủ trì mô hình an tonà thông tin 4 lớp?")
    assert not clean.abstained and slipped.answer == clean.answer
    assert slipped.question == "Đơn vị nào chủ trì mô hình an tonà thông tin 4 lớp?"     # echoed as typed


def test_a_misspelt_place_of_the_plans_is_not_taken_for_an_unknown_one(engine):
    ans = engine.ask("Theo kế hoạch xã Nghaĩ Đàn, ai chủ trì bảo đảm nguồn kinh phí thực hiện kế hoạch hàng năm?")
    assert not ans.abstained, ans.answer
    assert all(c.doc_id.startswith("xa-nghia-dan") for c in ans.citations)


def test_the_speller_of_an_index_reads_its_postings_and_repairs_alike(engine, plans_speller):
    from rag.spelling import speller
    indexed = speller(engine.snapshot())
    for typed in ("Khi nào phải ohàn thành đề án?", "Ai phối hợp với Cổgn Thông tin điện tử?",
                  "Theo kế hoạch xã Nghaĩ Đàn, ai chủ trì?"):
        assert indexed.correct(typed) == plans_speller.correct(typed) != typed
