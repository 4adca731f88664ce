"""Parsing the seed corpus: metadata as the texts say it, catalog agreement, the clean/OCR
duplicate pair, section trees and chunk invariants."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.catalog import apply_catalog, load_catalog, slugify
from index.chunking import MAX_WORDS, SPLIT_WORDS
from index.dedup import DUPLICATE_THRESHOLD, find_duplicates, merge_metadata, signature, similarity
from index.parse import doc_id_for, parse_file, parse_text, summary
from index.text import compact

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CLEAN = "snv-3469-kh-2025-trien-khai-nq71-nq57"
OCR = "snv-3469-kh-2025-trien-khai-nq71-nq57-ocr"

# what each seed's own text says (extraction only, no catalog)
EXPECTED = {
    CLEAN: dict(number="", date="", issuer="Sở Nội vụ", doc_type="Kế hoạch", signer="Nguyễn Viết Hưng",
                signer_role="GIÁM ĐỐC", level="sở"),
    "snv-kh-2026-khcn-cds": dict(number="/KH-SNV", date="2026-02", issuer="Sở Nội vụ", doc_type="Kế hoạch",
                                 signer="Nguyễn Việt Hưng", signer_role="GIÁM ĐỐC", level="sở", place="Nghệ An"),
    "vpubnd-kh-2026-trien-khai-nq71-nq57": dict(
        number="/KH-VPUB", date="2026-02", issuer="Văn phòng UBND tỉnh", doc_type="Kế hoạch",
        signer="Đào Quang Thiên", signer_role="KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG", level="tỉnh",
        place="Nghệ An"),
    "xa-nghia-dan-kh-2025-thuc-hien-nq57": dict(
        number="/KH-UBND", date="2025-07", issuer="UBND xã Nghĩa Đàn", doc_type="Kế hoạch",
        signer="Nguyễn Đình An", signer_role="TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", level="xã"),
    # the scan keeps its header; names and roles come out as OCR spelled them
    OCR: dict(number="3469/KH-SNV", date="2025-06-29", doc_type="Kế hoạch", place="Nghé An",
              signer="Nguyén Viét Hung", signer_role="GIAM POC"),
}


@pytest.fixture(scope="module")
def parsed():
    """Extraction only: the catalog would hide what the texts themselves yield."""
    return {doc_id_for(p): parse_file(p) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CORPUS)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_metadata_as_the_text_says(parsed, doc_id):
    doc = parsed[doc_id].document
    got = {k: getattr(doc, k) for k in EXPECTED[doc_id]}
    assert got == EXPECTED[doc_id]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_field_spans_show_the_values(parsed, doc_id):
    p = parsed[doc_id]
    for field in ("number", "place", "signer", "doc_type"):
        value = getattr(p.document, field)
        if not value:
            continue
        s, e = p.document.field_spans[field]
        quoted = re.sub(r"\W", "", compact(p.text[s:e]))
        key = re.sub(r"\W", "", compact(value))
        assert key in quoted or quoted in key, (field, value, p.text[s:e])
    s, e = p.document.field_spans["signer_role"]
    assert compact(p.document.signer_role.split(" / ")[-1]) in compact(p.text[s:e])
    s, e = p.document.field_spans["recipients"]
    assert compact(p.text[s:e]).startswith("noi nh")


def test_catalog_agrees_with_extraction(parsed, catalog):
    assert set(catalog) == {p.name for p in CORPUS.glob("*.txt")}
    for name, entry in catalog.items():
        doc = parsed[entry["id"]].document
        assert entry["id"] == slugify(Path(name).stem)
        # an OCR copy garbles names; its structured fields must still agree
        fields = ("number", "date", "doc_type") if entry["id"] == OCR else (
            "number", "date", "doc_type", "issuer", "level", "title", "place")
        for field in fields:
            if getattr(doc, field) and entry.get(field):
                assert compact(getattr(doc, field)) == compact(entry[field]), (name, field)


def test_catalog_overrides_and_keeps_consistent_spans(parsed, catalog):
    # the shipped catalog leaves number/date to the merge with the scan; override them here
    entry = {**catalog[f"{CLEAN}.txt"], "number": "3469/KH-SNV", "date": "2025-06-29"}
    doc = apply_catalog(parsed[CLEAN].document, entry)
    assert (doc.number, doc.date, doc.place) == ("3469/KH-SNV", "2025-06-29", "Nghệ An")
    assert "number" not in doc.field_spans          # the clean text holds no number to point at
    assert doc.field_spans["issuer"] == parsed[CLEAN].document.field_spans["issuer"]
    with_catalog = parse_file(CORPUS / f"{CLEAN}.txt", catalog_entry=entry)
    assert with_catalog.document.id == entry["id"] and with_catalog.document.number == "3469/KH-SNV"
    assert with_catalog.chunks[0].heading.startswith("Kế hoạch 3469/KH-SNV")


def test_ocr_copy_is_a_duplicate_of_the_clean_one(parsed):
    assert find_duplicates(list(parsed.values())) == {OCR: CLEAN}


def test_duplicate_threshold_has_a_margin(parsed):
    sigs = {k: signature(p.text) for k, p in parsed.items()}
    pair = similarity(sigs[CLEAN], sigs[OCR])
    others = [similarity(sigs[a], sigs[b]) for a in sigs for b in sigs
              if a < b and {a, b} != {CLEAN, OCR}]
    assert pair >= DUPLICATE_THRESHOLD + 0.1, pair              # measured ≈ 0.59
    assert max(others) <= DUPLICATE_THRESHOLD - 0.15, others    # measured ≤ 0.22 (shared boilerplate)


def test_merge_gives_the_clean_copy_the_scan_header(parsed):
    clean, ocr = parsed[CLEAN].document, parsed[OCR].document
    merged = merge_metadata(clean, ocr)
    assert (merged.number, merged.date) == ("3469/KH-SNV", "2025-06-29")
    assert merged.field_origin["number"] == merged.field_origin["date"] == OCR
    s, e = merged.field_spans["number"]
    assert "3469" in parsed[OCR].text[s:e]            # the span points into the duplicate's text
    assert merged.issuer == "Sở Nội vụ" and "issuer" not in merged.field_origin   # filled fields untouched
    assert clean.number == ""                          # the input is not mutated


def test_section_trees(parsed):
    paths = {k: [tuple(s.path) for s in p.sections] for k, p in parsed.items()}
    assert ("III", "1", "1.2") in paths[CLEAN]
    assert ("III", "2", "1.1") in paths[CLEAN]           # "1.1." under "2." as the plan numbers it
    assert [s.path for s in parsed["vpubnd-kh-2026-trien-khai-nq71-nq57"].sections if s.is_appendix] == [
        ["PL1"], ["PL2"]]
    assert [s.path for s in parsed["snv-kh-2026-khcn-cds"].sections if s.is_appendix] == [["PL1"], ["PL2"]]
    assert ("I", "2", "2.3", "a") in paths["snv-kh-2026-khcn-cds"]
    xa = parsed["xa-nghia-dan-kh-2025-thuc-hien-nq57"]
    appendix = [s for s in xa.sections if s.is_appendix]
    assert [s.path for s in appendix] == [["PL"]]
    assert appendix[0].heading.startswith("PHỤ LỤC NỘI DUNG THỰC HIỆN")
    assert appendix[0].span[1] == len(xa.text)
    # group rows inside the appendix table ("II. Chủ động, …") are not sections
    assert not [s for s in xa.sections if s.span[0] > appendix[0].span[0] and not s.is_appendix]


def test_section_spans_nest(parsed):
    for p in parsed.values():
        for s in p.sections:
            assert p.text[s.span[0]:s.span[1]].startswith(s.heading.split()[0])
            assert "\t" not in s.heading and not s.heading.startswith(("-", "+"))
            parent = [q for q in p.sections if q.path == s.path[:-1] and q.span[0] <= s.span[0]]
            if len(s.path) > 1 and parent:
                assert parent[-1].span[0] < s.span[0] and s.span[1] <= parent[-1].span[1]


def test_chunk_invariants(parsed):
    for doc_id, p in parsed.items():
        assert [c.id for c in p.chunks] == [f"{doc_id}#{i}" for i in range(len(p.chunks))]
        spans = [c.span for c in p.chunks]
        assert spans == sorted(spans)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "chunks overlap"
        for c in p.chunks:
            assert c.text == p.text[c.span[0]:c.span[1]]
            assert c.doc_id == doc_id and c.heading
            if c.kind == "text":
                assert len(c.text.split()) <= SPLIT_WORDS
        kinds = [c.kind for c in p.chunks]
        assert kinds.count("task") == len(p.tasks) and kinds.count("indicator") == len(p.indicators)
        assert kinds.count("meta") == 2
        for c in p.chunks:
            if c.kind == "task":
                assert p.tasks[c.task_index].span == c.span
                assert c.section_path == p.tasks[c.task_index].section_path


def test_text_chunks_stay_inside_their_section(parsed):
    p = parsed["snv-kh-2026-khcn-cds"]
    for c in p.chunks:
        if c.kind != "text" or not c.section_path:
            continue
        section = next(s for s in p.sections if s.path == c.section_path and s.span[0] <= c.span[0] < s.span[1])
        assert c.span[1] <= section.span[1]
        assert len(c.text.split()) <= MAX_WORDS or "\n" not in c.text.strip()


def test_meta_chunks_hold_header_and_closing(parsed):
    p = parsed["vpubnd-kh-2026-trien-khai-nq71-nq57"]
    meta = [c for c in p.chunks if c.kind == "meta"]
    assert meta[0].text.startswith("Số: /KH-VPUB") and "KẾ HOẠCH" in meta[0].text
    assert meta[1].text.startswith("Nơi nhận:") and meta[1].text.endswith("Đào Quang Thiên")


def test_summary_is_readable_vietnamese(parsed):
    text = summary(parsed["vpubnd-kh-2026-trien-khai-nq71-nq57"])
    assert "Số hiệu: /KH-VPUB" in text and "Nhiệm vụ: 9" in text and "Chỉ tiêu: 13" in text


def test_parse_text_without_header_or_catalog():
    p = parse_text("Văn bản không có tiêu đề.\n", "x")
    assert p.document.id == "x" and p.chunks and not p.sections
    assert any("not found" in w for w in p.warnings)
