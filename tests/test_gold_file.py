"""The gold files follow the schema documented in eval/gold/README.md: every question has a
known type and split, negatives carry no answer, and every evidence phrase is verbatim text
of a gold document (whitespace collapsed: a phrase may run across a PDF line break)."""
from __future__ import annotations

import re

import pytest

from eval.gold_eval import GOLD_DIR, load_gold
from tests.conftest import CORPUS, SHARED

TYPES = {"who_lead", "who_partner", "when", "result", "number", "list", "meta", "open", "negative"}
GOVDOCS = SHARED / "data" / "govdocs"


def _texts(folder, pattern):
    return {p.stem: re.sub(r"\s+", " ", p.read_text(encoding="utf-8")) for p in folder.glob(pattern)}


def _problems(questions, texts):
    seen = set()
    for q in questions:
        if q["id"] in seen:
            yield q["id"], "duplicate id"
        seen.add(q["id"])
        if q["type"] not in TYPES:
            yield q["id"], f"type {q['type']!r}"
        if q["split"] not in ("dev", "test"):
            yield q["id"], f"split {q['split']!r}"
        if q["type"] == "negative":
            if q["answers"] or q["doc"] is not None or q["evidence"]:
                yield q["id"], "a negative with an answer, doc or evidence"
            continue
        if not q["answers"] or not all(q["answers"]) or not q["evidence"]:
            yield q["id"], "no answer group or no evidence"
        docs = [q["doc"]] if isinstance(q["doc"], str) else q["doc"]
        for d in docs:
            if d not in texts:
                yield q["id"], f"unknown doc {d}"
        for e in q["evidence"]:
            phrase = re.sub(r"\s+", " ", e)
            if len(phrase.split()) < 4:
                yield q["id"], f"evidence too short: {e!r}"
            if not any(phrase in texts.get(d, "") + texts.get(d + "-ocr", "") for d in docs):
                yield q["id"], f"evidence not in its doc: {e!r}"


def test_seed_gold_follows_the_schema():
    questions = load_gold(GOLD_DIR / "questions.jsonl")
    assert len(questions) > 2000
    assert list(_problems(questions, _texts(CORPUS, "*.txt"))) == []


@pytest.mark.skipif(not GOVDOCS.exists(), reason="../shared/data/govdocs not present")
def test_govdocs_gold_follows_the_schema():
    questions = load_gold(GOLD_DIR / "govdocs.jsonl")
    assert len(questions) > 400
    assert list(_problems(questions, _texts(GOVDOCS, "*.md"))) == []


def test_the_check_finds_a_broken_row():
    texts = {"plan": "Văn phòng Sở chủ trì rà soát quy trình Tháng 4/2026"}
    good = {"id": "x1", "split": "dev", "type": "who_lead", "answers": [["Văn phòng Sở"]], "doc": "plan",
            "evidence": ["Văn phòng Sở chủ trì rà soát"]}
    assert list(_problems([good], texts)) == []
    broken = [dict(good, id="x2", type="who"), dict(good, id="x3", evidence=["Phòng Nội vụ chủ trì rà soát"]),
              dict(good, id="x4", type="negative")]
    assert [p[0] for p in _problems(broken, texts)] == ["x2", "x3", "x4"]
