"""Observability of the real server: one structured JSON log line per request (latency,
status, answer id, worker) and a /healthz that reports readiness (the not-ready side —
503 with the fix to apply, then ready after `planqa index build` — is checked by
test_faults.py::test_corrupt_or_missing_index_files_clear_error_and_build_repairs)."""
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
