"""Generalisation: real plans and resolutions written by other bodies in other layouts
(read-only evaluation data in ../shared/data/govdocs, never copied into the repository)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.dedup import find_duplicates
from index.parse import doc_id_for, parse_file

GOVDOCS = Path(os.environ.get("PLANQA_GOVDOCS", Path(__file__).resolve().parents[2] / "shared/data/govdocs"))
FILES = sorted(GOVDOCS.glob("0*.md")) if GOVDOCS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"govdocs evaluation data not found at {GOVDOCS} "
                                                  "(set PLANQA_GOVDOCS to its folder)")

# header fields each document states in its own letterhead / dateline / signature block
HEADERS = {
    "01": dict(number="03/NQ-CP", date="2025-01-09", doc_type="Nghị quyết", issuer="Chính phủ",
               level="trung ương", place="Hà Nội", signer="Nguyễn Hòa Bình",
               signer_role="TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG"),
    "04": dict(number="402-CV/VPĐU", date="2025-05-25", doc_type="Công văn", signer="Trần Văn Sơn",
               signer_role="CHÁNH VĂN PHÒNG"),
    "05": dict(number="3260-KH/ĐĐQH15", date="2025-01-10", doc_type="Kế hoạch", issuer="Đảng đoàn Quốc hội",
               signer="Trần Thanh Mẫn", signer_role="T/M ĐẢNG ĐOÀN QUỐC HỘI / BÍ THƯ"),
    "06": dict(number="57-NQ/TW", date="2024-12-22", doc_type="Nghị quyết", issuer="Bộ Chính trị",
               level="trung ương"),
    # appendix-only files: the "(Kèm theo … số /NQ-CP ngày 01 tháng 01 năm 2025 của Chính phủ)" line
    "02": dict(number="/NQ-CP", date="2025-01-01", issuer="Chính phủ", doc_type="Phụ lục"),
    "03": dict(number="/NQ-CP", date="2025-01-01", issuer="Chính phủ", doc_type="Phụ lục"),
}


@pytest.fixture(scope="module")
def parsed():
    return {p.name[:2]: parse_file(p) for p in FILES}


def test_every_file_parses_cleanly(parsed):
    assert len(parsed) == len(FILES)
    for key, p in parsed.items():
        assert not [w for w in p.warnings if "Lỗi ở bước" in w], (key, p.warnings)
        assert p.sections, key
        assert p.chunks, key
        for c in p.chunks:
            assert c.text == p.text[c.span[0]:c.span[1]]
        assert p.document.id == doc_id_for(FILES[list(parsed).index(key)])


@pytest.mark.parametrize("key", sorted(HEADERS))
def test_headers(parsed, key):
    doc = parsed[key].document
    assert {k: getattr(doc, k) for k in HEADERS[key]} == HEADERS[key]


def test_resolution_articles_and_programme_tree(parsed):
    paths = [s.path for s in parsed["01"].sections]
    assert ["Điều 1"] in paths and ["Điều 3"] in paths
    assert any(p[-2:] == ["II", "7"] for p in paths)                   # 7 groups of tasks
    appendices = [s for s in parsed["01"].sections if s.is_appendix]
    assert [s.path for s in appendices] == [["PL1"], ["PL2"]]
    assert appendices[1].heading.startswith("PHỤ LỤC II DANH MỤC CÁC NHIỆM VỤ")


def test_party_style_numbering(parsed):
    # "I- QUAN ĐIỂM CHỈ ĐẠO", "1\\. …" (escaped by the docx→md converter)
    top = [s.path for s in parsed["06"].sections if s.level == 1]
    assert top == [["I"], ["II"], ["III"], ["IV"]]
    assert ["III", "7"] in [s.path for s in parsed["06"].sections]


def test_report_parts_and_appendices(parsed):
    sections = parsed["04"].sections
    assert [s.path for s in sections if s.level == 1] == [["A"], ["B"], ["PL1"], ["PL2"], ["PL3"]]
    assert ["A", "V"] in [s.path for s in sections]                    # no IV in the source: kept as is


def test_bullet_plan_lettered_bodies(parsed):
    letters = [s.path[-1] for s in parsed["05"].sections if s.path[:3] == ["II", "2", "2.2"] and len(s.path) == 4]
    assert letters[0] == "a" and letters[-1] == "p" and len(letters) == 14


def test_compilation_splits_into_documents(parsed):
    parts = [s.heading for s in parsed["07"].sections if s.level == 1 and not s.path[0].isupper()]
    assert any(h.startswith("Kết luận") for h in parts) and any(h.startswith("Nghị quyết 20") for h in parts)


def test_task_and_indicator_tables_are_read(parsed):
    assert parsed["01"].tasks and parsed["01"].indicators
    assert parsed["02"].tasks and parsed["03"].indicators and parsed["04"].tasks


def test_appendix_extract_is_a_duplicate_of_the_full_resolution(parsed):
    dups = find_duplicates(list(parsed.values()))
    ids = {k: p.document.id for k, p in parsed.items()}
    assert dups.get(ids["02"]) == ids["01"]       # the full text stays primary
    assert ids["07"] not in dups and ids["06"] not in dups   # a compilation is more than its NQ 57 copy


def test_a_compilation_file_lists_the_documents_it_holds(parsed):
    """07 holds Nghị quyết 57, Kết luận 69 and Nghị quyết 20 one after another: each part has its
    own span and header fields, read from its own text (the compiler's comparison is not a part)."""
    parts = parsed["07"].document.parts
    text = parsed["07"].text
    assert [(p["doc_type"], p["number"]) for p in parts] == [
        ("Nghị quyết", "57-NQ/TW"), ("Kết luận", "69-KL/TW"), ("Nghị quyết", "20-NQ/TW")]
    kl69 = parts[1]
    assert (kl69["date"], kl69["issuer"], kl69["signer"]) == ("2024-01-11", "Bộ Chính trị", "Trương Thị Mai")
    assert text[slice(*kl69["field_spans"]["signer"])] == "Trương Thị Mai"
    assert parts[2]["date"] == "2012-11-01"
    assert parts[0]["end"] == kl69["start"] and kl69["end"] == parts[2]["start"]
    assert "So sánh" in text[parts[2]["end"]:parts[2]["end"] + 40]      # the comparison ends the last part
    assert all(not parsed[k].document.parts for k in parsed if k != "07")
