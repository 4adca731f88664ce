"""Load: 16 concurrent clients on `POST /api/ask` of a real 2-worker `planqa serve`,
quiet and while a plan is uploaded and deleted in a loop. Bounded: a fixed request count,
a per-request timeout and a hard stop for the whole run (eval/loadgen.py)."""
from __future__ import annotations

import json
import threading
import time

import pytest

from eval.loadgen import run_load
from tests.reliability import _support as S

pytestmark = pytest.mark.slow

CLIENTS = 16
TIMEOUT_S = 60.0


def _structured_lines(server: S.Server) -> list[dict]:
    out = []
    for line in server.log_text().splitlines():
        line = line.strip()
        if line.startswith("{") and '"request_id"' in line:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def _record_load(section: str, res, **notes) -> None:
    s = res.summary()
    S.record(section, result=s, requests_sent=s["sent"], server_errors_5xx=s["server_errors_5xx"],
             timeouts=s["timeouts"], transport_errors=s["transport_errors"], wrong_answers=s["wrong_answers"],
             **notes)


def _assert_clean(res, n: int) -> None:
    s = res.summary()
    assert s["sent"] == n and not s["stopped_by_deadline"], s
    assert s["server_errors_5xx"] == 0 and s["timeouts"] == 0 and s["transport_errors"] == 0, s
    assert s["statuses"] == {"200": n}, s
    assert s["wrong_answers"] == 0, s["wrong_examples"]


def test_load_ask_16_clients_two_workers(main_server, baseline):
    """≥2,000 asks (scaled) from 16 clients: zero 5xx, zero timeouts, every answer equal to
    its quiet-server baseline; both uvicorn workers serve from the same index."""
    n = S.scaled(2000, 400)
    qs = baseline
    workers = main_server.worker_pids()
    assert len(workers) == 2, f"expected 2 uvicorn workers, found {workers}"
    before = len(_structured_lines(main_server))

    def make(i):
        return "POST", "/api/ask", {"question": qs[i % len(qs)]["question"]}

    def check(i, spec, status, body):
        if status != 200:
            return f"HTTP {status}"
        key = S.answer_key(body)
        if key != qs[i % len(qs)]["key"]:
            return f"answer differs from baseline for {qs[i % len(qs)]['question']!r}: {body.get('answer')!r}"
        return None

    res = run_load(main_server.url, make, n, concurrency=CLIENTS, timeout_s=TIMEOUT_S, max_seconds=1200,
                   check=check)
    time.sleep(0.5)
    lines = [ln for ln in _structured_lines(main_server)[before:] if ln.get("path") == "/api/ask"]
    served_by = sorted({ln.get("worker") for ln in lines if ln.get("worker")})
    _record_load("load_quiet", res, questions=len(qs), uvicorn_workers=len(workers),
                 workers_that_served=len(served_by), structured_log_lines=len(lines))
    _assert_clean(res, n)
    assert len(lines) >= n, f"{len(lines)} structured /api/ask log lines for {n} requests"
    assert all(ln["status"] == 200 and ln["answer_id"] and ln["latency_ms"] >= 0 for ln in lines)
    assert len(served_by) == 2, f"requests served by workers {served_by}"


def test_load_during_upload_delete_churn(main_server, baseline):
    """The same load while another client uploads and deletes a plan in a loop: every
    answer is the answer of the index *with* or *without* that plan (never a mix, never an
    error); before and after the churn the answers equal the baseline."""
    n = S.scaled(2000, 400)
    facts = S.plan_facts(901)
    plan = S.make_plan(901).encode()
    plan_q = facts["question"]
    name = "ke-hoach-churn-901.txt"
    h = main_server.admin()
    seed_qs = baseline[:12]
    with main_server.client() as c:
        docs_before = c.get("/api/documents").json()["documents"]
        assert all(d["id"] != "ke-hoach-churn-901" for d in docs_before)

        def ask_all():
            return [S.answer_key(c.post("/api/ask", json={"question": q["question"]}).json()) for q in seed_qs]

        absent_plan = S.answer_key(c.post("/api/ask", json={"question": plan_q}).json())
        r = c.post("/api/documents", headers=h, files={"file": (name, plan, "text/plain")})
        assert r.status_code == 200 and r.json()[0]["status"] == "added", r.text
        doc_id = r.json()[0]["document"]["id"]
        body = c.post("/api/ask", json={"question": plan_q}).json()
        present_plan = S.answer_key(body)
        assert not body["abstained"] and body["citations"][0]["doc_id"] == doc_id, body
        plan_text = c.get(f"/api/documents/{doc_id}").json()["text"]
        assert facts["lead"] in body["answer"], (facts["lead"], body["answer"])
        present_seed = ask_all()
        assert c.delete(f"/api/documents/{doc_id}", headers=h).status_code == 200
        after_one_cycle = ask_all()
    assert after_one_cycle == [q["key"] for q in seed_qs], "answers changed after one upload/delete"
    allowed = {q["question"]: {q["key"], p} for q, p in zip(seed_qs, present_seed)}
    allowed[plan_q] = {absent_plan, present_plan}
    for cit in present_plan[2]:
        assert plan_text[cit[1]:cit[2]] == cit[3]

    stop = threading.Event()
    churn = {"uploads": 0, "deletes": 0, "errors": [], "cycle_s": []}

    def churner():
        with main_server.client(timeout=300) as cc:
            while not stop.is_set():
                t0 = time.perf_counter()
                r1 = cc.post("/api/documents", headers=h, files={"file": (name, plan, "text/plain")})
                if r1.status_code != 200 or r1.json()[0]["status"] != "added":
                    churn["errors"].append(f"upload {r1.status_code} {r1.text[:200]}")
                    break
                churn["uploads"] += 1
                time.sleep(0.3)
                r2 = cc.delete(f"/api/documents/{doc_id}", headers=h)
                if r2.status_code != 200:
                    churn["errors"].append(f"delete {r2.status_code} {r2.text[:200]}")
                    break
                churn["deletes"] += 1
                churn["cycle_s"].append(time.perf_counter() - t0)
                time.sleep(0.3)

    questions = [q["question"] for q in seed_qs]

    def make(i):
        q = plan_q if i % 4 == 0 else questions[i % len(questions)]
        return "POST", "/api/ask", {"question": q}

    seen = {"present": 0, "absent": 0}

    def check(i, spec, status, body):
        if status != 200:
            return f"HTTP {status}"
        q = spec[2]["question"]
        key = S.answer_key(body)
        if key not in allowed[q]:
            return f"torn/unexpected answer for {q!r}: {body.get('answer')!r} {key[2]}"
        if q == plan_q:
            seen["present" if key == present_plan else "absent"] += 1
        return None

    t = threading.Thread(target=churner, daemon=True)
    t.start()
    try:
        res = run_load(main_server.url, make, n, concurrency=CLIENTS, timeout_s=TIMEOUT_S, max_seconds=1200,
                       check=check)
    finally:
        stop.set()
        t.join(timeout=300)
    with main_server.client() as c:
        if any(d["id"] == doc_id for d in c.get("/api/documents").json()["documents"]):
            assert c.delete(f"/api/documents/{doc_id}", headers=h).status_code == 200
        after = ask_all()
        docs_after = c.get("/api/documents").json()["documents"]
        health = c.get("/healthz").json()
    state = S.index_state(main_server.home)
    cycles = churn["deletes"]
    _record_load("load_churn", res, upload_delete_cycles=cycles, uploads=churn["uploads"], deletes=churn["deletes"],
                 churn_errors=len(churn["errors"]),
                 mean_cycle_s=round(sum(churn["cycle_s"]) / max(1, len(churn["cycle_s"])), 2),
                 plan_question_answered_with_plan=seen["present"], plan_question_answered_without_plan=seen["absent"],
                 answers_after_equal_baseline=after == [q["key"] for q in seed_qs])
    assert not churn["errors"], churn["errors"]
    _assert_clean(res, n)
    assert cycles >= 3, f"only {cycles} upload/delete cycles during the load"
    assert after == [q["key"] for q in seed_qs], "answers after the churn differ from the baseline"
    assert sorted(d["id"] for d in docs_after) == sorted(d["id"] for d in docs_before) == state["documents"]
    assert health["generation"] == state["generation"]
