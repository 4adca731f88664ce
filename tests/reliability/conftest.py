"""Fixtures of the reliability suite (`make check-reliability`).

One index is built per session by a real `planqa index build` subprocess (on top of a
deliberately corrupted index, so the session build also proves that the build repairs
one); tests that change an index work on a copy of that home. One main server (`planqa
serve --workers 2`, admin key set) is shared by the load, bad-input, fuzz, security and
observability tests; fault tests start their own servers. Figures measured by the tests
go to ``_support.FIGURES`` and become eval/reports/reliability.md at the end.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.reliability import _support as S


def pytest_runtest_logreport(report):
    if "tests/reliability/" not in report.nodeid.replace("\\", "/"):
        return
    name = report.nodeid.split("tests/reliability/")[-1]
    if report.when == "call" or report.outcome != "passed":
        if report.when == "setup" and report.outcome == "failed":
            S.OUTCOMES[name] = "error"
        elif report.skipped:
            S.OUTCOMES[name] = "skipped"
        elif report.when == "call" or report.failed:
            S.OUTCOMES[name] = "passed" if report.passed else "failed"


def pytest_sessionfinish(session, exitstatus):
    if S.OUTCOMES:
        path = S.write_report(dict(S.OUTCOMES))
        if path:
            tr = session.config.pluginmanager.get_plugin("terminalreporter")
            if tr:
                tr.write_line(f"reliability report: {path}")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The converted embedding model (shared cache; converted once if missing, ~5 s)."""
    cache = Path(os.environ.get("PLANQA_TEST_CACHE") or S.ROOT / "var" / "test-cache").resolve()
    r = S.run_cli(["model", "prepare", "--home", str(cache)], cache, timeout=600)   # no-op when ready
    assert r.returncode == 0, r.stderr
    return cache / "models"


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory, model_dir) -> Path:
    """A home with the seed corpus indexed by a real `planqa index build`.

    Before the build, the home holds a corrupted live generation (missing FAISS file,
    garbage SQLite): opening it must fail with a clear error and the build must repair it.
    Read-only for tests (copy it with ``S.copy_home``)."""
    from index.errors import IndexMissing
    from index.reader import open_index

    home = tmp_path_factory.mktemp("rel-seed") / "home"
    reuse = os.environ.get("PLANQA_RELIABILITY_REUSE_SEED")      # development aid: skip the ~2 min build
    if reuse:
        S.copy_home(Path(reuse), home)
        S.record("setup", seed_reused_from=reuse, seed_documents=len(S.index_state(home)["primary"]))
        return home
    home.mkdir()
    (home / "models").symlink_to(model_dir)
    broken = home / "index" / "gen-000001"
    broken.mkdir(parents=True)
    (broken / "store.sqlite").write_bytes(os.urandom(4096))
    (broken / "manifest.json").write_text(json.dumps({"format_version": 1, "files": {
        "store.sqlite": "0" * 64, "dense.faiss": "0" * 64}, "model": {}, "counts": {}}))
    (home / "index" / "CURRENT").write_text("gen-000001\n")
    with pytest.raises(IndexMissing) as err:
        open_index(home)
    assert "planqa index build" in err.value.message
    t0 = time.perf_counter()
    r = S.run_cli(["index", "build", "--corpus", str(S.CORPUS), "--json"], home, timeout=1200)
    build_s = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    state = S.index_state(home)
    assert state["generation"] == report["generation"] != "gen-000001"
    S.record("setup", seed_build_s=round(build_s, 1), seed_documents=report["documents"],
             seed_duplicates=len(report["duplicates"]), seed_chunks=report["chunks"],
             planted_corruption_error=err.value.message[:160],
             planted_corruption_repaired_by_build=True)
    S.bump("faults_corruption", "faults_injected")
    S.bump("faults_corruption", "recoveries")
    return home


@pytest.fixture(scope="session")
def main_server(seed_home, tmp_path_factory):
    """`planqa serve --workers 2` on a copy of the seed home, admin key set."""
    root = tmp_path_factory.mktemp("rel-main")
    home = S.copy_home(seed_home, root / "home")
    server = S.Server(home, root / "server.log", workers=2).start()
    S.record("setup", main_server_workers=2, main_server_startup_s=round(server.startup_s, 1))
    yield server
    server.stop()
    assert "Traceback" not in server.log_text(), server.log_tail()


@pytest.fixture(scope="session")
def baseline(main_server):
    """Gold questions asked once, sequentially, on the quiet server: the reference answers.

    Under load every answer to the same question must be identical to its baseline
    (same text, same citations, same quoted spans)."""
    rows = [q for q in S.gold_questions() if q["split"] == "dev"][:S.scaled(48, 16)]
    out = []
    texts: dict[str, str] = {}
    with main_server.client() as c:
        for q in rows:
            r = c.post("/api/ask", json={"question": q["question"]})
            assert r.status_code == 200, r.text
            body = r.json()
            for cit in body["citations"]:
                if cit["doc_id"] not in texts:
                    texts[cit["doc_id"]] = c.get(f"/api/documents/{cit['doc_id']}").json()["text"]
                assert texts[cit["doc_id"]][cit["start"]:cit["end"]] == cit["quote"]
            out.append({"question": q["question"], "key": S.answer_key(body),
                        "correct": S.gold_correct(body["answer"], q["answers"], body["abstained"])})
    S.record("load_quiet", baseline_questions=len(out), baseline_gold_correct=sum(o["correct"] for o in out))
    return out
