"""ALQAC 2022 retrieval on a small subset, through the product's index and hybrid_search.

The data lives outside the repository (../shared/data/alqac2022, see its PROVENANCE.md);
the test is skipped when it is absent. Subset: 25 questions (every 17th, so all four laws
appear) over 40 articles, their gold articles plus lexical and neighbouring distractors
(the first questions alone are too easy: every system scores 1.0 on them), about 125
passages. The index is built into the model home's eval-cache (≈ 20-40 s on 2 cores), so
with PLANQA_TEST_CACHE set a rerun only queries (≈ 15 s).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alqac2022"
METRICS = {"recall@1", "recall@5", "recall@10", "mrr@10"}
N_QUESTIONS, N_ARTICLES = 25, 40


@pytest.fixture(scope="module")
def small_run(request, tmp_path_factory):
    if not (DATA / "law.json").is_file() or not (DATA / "questions.json").is_file():
        pytest.skip(f"ALQAC 2022 data not found in {DATA} (external evaluation data, not part of the repository)")
    from eval.alqac import run_alqac

    model_home = request.getfixturevalue("model_home")    # only prepared when the data is there

    report = tmp_path_factory.mktemp("alqac-report")
    res = run_alqac(DATA, home=model_home, limit=N_QUESTIONS, every=17, max_articles=N_ARTICLES, report=report,
                    progress=False)
    return res, report


def test_schema(small_run):
    res, report = small_run
    assert res["n_questions"] == N_QUESTIONS
    assert res["n_articles"] == N_ARTICLES
    assert res["dataset"]["subset"] is True and res["dataset"]["passages"] >= res["n_articles"]
    assert set(res["systems"]) == {"bm25", "dense", "hybrid"}
    for m in res["systems"].values():
        assert set(m) == METRICS
        assert all(0.0 <= v <= 1.0 for v in m.values())
        assert m["recall@1"] <= m["recall@5"] <= m["recall@10"]
        assert m["recall@1"] <= m["mrr@10"] <= m["recall@10"]
    assert {"index_build_s", "query_embedding_s", "total_s"} <= set(res["timings"])
    assert sum(d["n"] for d in res["splits"].values()) == N_QUESTIONS
    md = (report / "alqac.md").read_text(encoding="utf-8")
    assert "| hybrid |" in md and "Anchors" in md
    saved = json.loads((report / "alqac.json").read_text(encoding="utf-8"))
    assert saved["systems"] == res["systems"]


def test_hybrid_not_worse_than_single_methods(small_run):
    res, _ = small_run
    s = res["systems"]
    for single in ("bm25", "dense"):
        for k in ("recall@1", "recall@10", "mrr@10"):
            assert s["hybrid"][k] >= s[single][k], (single, k, s)
    assert s["hybrid"]["recall@10"] >= 0.9
