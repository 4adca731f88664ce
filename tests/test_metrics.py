"""Metric functions on hand-made cases, including ones that must score zero."""
from __future__ import annotations

import pytest

from eval import metrics as M


def test_answer_correct_needs_every_group():
    groups = [["Phòng VH-XH", "Phòng Văn hóa - Xã hội"], ["2025"]]
    assert M.answer_correct("Chủ trì: phong vh-xh; thời hạn: 2025", groups)
    assert not M.answer_correct("Chủ trì: Phòng VH-XH", groups)          # deadline missing
    assert not M.answer_correct("", groups)
    assert not M.answer_correct("anything", [])                           # no groups never counts


def test_retrieval_ranks_and_scores():
    chunks = [("b", "khác"), ("a", "không liên quan"), ("a", "Thành lập Ban Chỉ đạo Sở về dữ liệu")]
    assert M.first_relevant_rank(chunks, {"a"}, ["thanh lap ban chi dao"]) == 2
    assert M.first_relevant_rank(chunks, {"b"}, ["thanh lap ban chi dao"]) is None   # wrong doc
    ranks = [0, 2, None, 12]
    assert M.recall_at(ranks, 1) == 0.25
    assert M.recall_at(ranks, 5) == 0.5
    assert M.mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3) / 4)
    assert M.recall_at([None, None], 10) == 0.0 and M.mrr_at([None], 10) == 0.0


def test_citation_correctness():
    ev, groups = ["Văn phòng, các phòng CM liên quan"], [["Văn phòng"]]
    assert M.citation_correct("1\tPhối hợp …\tVăn phòng, các phòng CM liên quan\t…", "a", {"a"}, ev, groups)
    assert not M.citation_correct("Văn phòng, các phòng CM liên quan", "b", {"a"}, ev, groups)
    assert not M.citation_correct("Nội dung khác hẳn", "a", {"a"}, ev, groups)
    assert not M.citation_correct("", "a", {"a"}, ev, groups)


def test_abstention_metrics():
    recs = [{"negative": True, "abstained": True}, {"negative": True, "abstained": False},
            {"negative": False, "abstained": True}, {"negative": False, "abstained": False}]
    m = M.abstention(recs)
    assert m == {"precision": 0.5, "recall": 0.5, "false_abstention_rate": 0.5}
    assert M.abstention([{"negative": False, "abstained": False}])["recall"] == 0.0


def test_percentile():
    assert M.percentile([], 50) == 0.0
    assert M.percentile([5, 1, 3], 50) == 3
    assert M.percentile(list(range(1, 101)), 95) == 95


def test_registered_copy_of_a_gold_plan_counts_as_that_plan():
    from eval.gold_eval import gold_docs

    q = {"doc": "snv-3469"}
    copies = {"snv-3469-ocr": "snv-3469", "other-ocr": "other"}
    assert gold_docs(q, copies) == {"snv-3469", "snv-3469-ocr"}
    assert gold_docs(q) == {"snv-3469"}
    assert gold_docs({"doc": None}, copies) == set()
