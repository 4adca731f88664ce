"""Observability of the real server: one structured JSON log line per request (latency,
status, answer id, worker) and a /healthz that reports readiness."""
from __future__ import annotations

import json
import time

import pytest

from tests.reliability import _support as S

pytestmark = pytest.mark.slow


def _lines(server: S.Server) -> list[dict]:
    out = []
    for line in server.log_text().splitlines():
        if line.startswith("{") and '"request_id"' in line:
            out.append(json.loads(line))
    return out


def test_structured_request_logs_and_healthz(main_server):
    with main_server.client() as c:
        h = c.get("/healthz")
        assert h.status_code == 200
        health = h.json()
        assert health["status"] == "ok" and health["index_loaded"] is True
        assert health["documents"] >= 4 and health["chunks"] > 0 and health["generation"].startswith("gen-")
        assert health["model"]
        r = c.post("/api/ask", json={"question": "Ai ký kế hoạch của UBND xã Nghĩa Đàn?"})
        answer_id = r.json()["id"]
        assert r.headers["X-Answer-Id"] == answer_id
        bad = c.post("/api/ask", json={"question": ""})
        missing = c.get("/api/documents/khong-co")
    time.sleep(0.5)
    lines = _lines(main_server)
    mine = [ln for ln in lines if ln.get("answer_id") == answer_id]
    assert len(mine) == 1, f"no structured log line for answer {answer_id}"
    ln = mine[0]
    assert ln["method"] == "POST" and ln["path"] == "/api/ask" and ln["status"] == 200
    assert isinstance(ln["latency_ms"], (int, float)) and 0 <= ln["latency_ms"] < 120_000
    assert len(ln["request_id"]) == 12 and isinstance(ln["worker"], int)
    statuses = {(x["path"], x["status"]) for x in lines}
    assert ("/api/ask", 422) in statuses and ("/api/documents/khong-co", 404) in statuses
    assert bad.status_code == 422 and missing.status_code == 404
    keys = sorted(ln)
    S.record("observability", structured_log_fields=keys, example_log_line=ln,
             healthz=health, log_lines_total=len(lines))


def test_healthz_reports_not_ready_without_an_index(tmp_path, model_dir):
    """A server over an empty data folder starts, says so on /healthz (503, not_ready, the
    fix to apply) and becomes ready by itself once an index is built."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(model_dir)
    server = S.Server(home, tmp_path / "server.log", workers=1)
    server.start(ready=False)
    try:
        with server.client() as c:
            h = c.get("/healthz")
            assert h.status_code == 503 and h.json()["status"] == "not_ready" and not h.json()["index_loaded"]
            assert "planqa index build" in h.json()["error"]
            a = c.post("/api/ask", json={"question": "Ai ký kế hoạch?"})
            assert a.status_code == 503 and a.json()["code"] == "index_missing"
            corpus = tmp_path / "corpus"
            corpus.mkdir()
            (corpus / "ke-hoach-1.txt").write_text(S.make_plan(1), encoding="utf-8")
            b = S.run_cli(["index", "build", "--corpus", str(corpus)], home)
            assert b.returncode == 0, b.stderr[-2000:]
            h2 = c.get("/healthz")
            assert h2.status_code == 200 and h2.json()["documents"] == 1, h2.text
    finally:
        server.stop()
    assert "Traceback" not in server.log_text()
    S.record("observability", healthz_without_index=h.json(), healthz_after_build=h2.json())
    S.bump("observability", "recoveries")
