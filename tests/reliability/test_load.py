"""Load: 16 concurrent clients on `POST /api/ask` of a real 2-worker `planqa serve`,
quiet, while a plan is uploaded and deleted in a loop, and during the very first upload
of a fresh server (which loads the passage encoder). Bounded: a fixed request count,
a per-request timeout and a hard stop for the whole run (eval/loadgen.py)."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from eval.loadgen import LoadResult, percentile, run_load
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
    its quiet-server baseline; both uvicorn workers serve from the same index. Every request
    comes on a new connection, like many separate users: with 16 kept-alive connections,
    uvicorn's shared listening socket may hand all of them to one worker."""
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
                   check=check, keepalive=False)
    time.sleep(0.5)
    lines = [ln for ln in _structured_lines(main_server)[before:] if ln.get("path") == "/api/ask"]
    served_by = sorted({ln.get("worker") for ln in lines if ln.get("worker")})
    share = {str(w): sum(ln.get("worker") == w for ln in lines) for w in served_by}
    _record_load("load_quiet", res, questions=len(qs), uvicorn_workers=len(workers), connections="one per request",
                 workers_that_served=len(served_by), requests_per_worker=share, structured_log_lines=len(lines))
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
    runs = []
    try:
        # n requests, and more in smaller batches until 3 upload/delete cycles are done (a
        # fast server can answer n questions before the cold upload helper finishes cycle 2)
        while not runs or (churn["deletes"] < 3 and not churn["errors"] and sum(r.sent for r in runs) < 10 * n):
            runs.append(run_load(main_server.url, make, n if not runs else max(100, n // 4), concurrency=CLIENTS,
                                 timeout_s=TIMEOUT_S, max_seconds=1200, check=check))
    finally:
        stop.set()
        t.join(timeout=300)
    res = _merge(runs)
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
    _assert_clean(res, res.requests)
    assert res.sent >= n
    assert cycles >= 3, f"only {cycles} upload/delete cycles during the load"
    assert after == [q["key"] for q in seed_qs], "answers after the churn differ from the baseline"
    assert sorted(d["id"] for d in docs_after) == sorted(d["id"] for d in docs_before) == state["documents"]
    assert health["generation"] == state["generation"]


def _torch_loaded(pid: int) -> bool:
    """Whether process ``pid`` has torch's shared library mapped (i.e. imported torch)."""
    try:
        return "libtorch" in Path(f"/proc/{pid}/maps").read_text(errors="replace")
    except OSError:
        return False


def _merge(results: list) -> LoadResult:
    """Several bounded runs of the load generator, counted as one."""
    out = LoadResult(requests=sum(r.requests for r in results), concurrency=results[0].concurrency)
    for r in results:
        for name in ("sent", "ok", "server_errors", "client_errors", "timeouts", "transport_errors", "wrong_answers",
                     "duration_s"):
            setattr(out, name, getattr(out, name) + getattr(r, name))
        out.statuses.update(r.statuses)
        out.wrong_examples += r.wrong_examples
        out.error_examples += r.error_examples
        out.latencies_ms += r.latencies_ms
        out.stopped_by_deadline = out.stopped_by_deadline or r.stopped_by_deadline
    return out


def test_first_upload_under_load(seed_home, baseline, tmp_path):
    """The first upload a fresh server receives, while 16 clients ask the same worker: the
    upload path's heavy modules (word segmentation, the passage encoder: torch) load for the
    first time in the middle of the load. The worker must keep answering meanwhile: no error,
    no timeout, every answer right, and no pause in its answers longer than half the upload
    (importing those modules inside the worker froze it for the whole import: up to 51 s
    without a single answer, 5 of 200 questions timed out). Latencies of the questions that
    overlapped the upload are measured against the others (server-side, structured log)."""
    home = S.copy_home(seed_home, tmp_path / "home")
    server = S.Server(home, tmp_path / "server.log", workers=1).start()
    batch = S.scaled(400, 100)
    facts = S.plan_facts(902)
    plan = S.make_plan(902).encode()
    plan_q = facts["question"]
    doc_id = "ke-hoach-first-902"
    qs = baseline
    try:
        workers = server.worker_pids() or [server.proc.pid]
        torch_before = any(_torch_loaded(pid) for pid in [server.proc.pid, *workers])
        with server.client() as c:
            absent_plan = S.answer_key(c.post("/api/ask", json={"question": plan_q}).json())
        upload: dict = {}
        started = threading.Event()

        def uploader():
            started.wait(timeout=600)
            time.sleep(1.0)                      # the load is in full swing
            with server.client(timeout=600) as cc:
                t0 = time.perf_counter()
                r = cc.post("/api/documents", headers=server.admin(),
                            files={"file": (f"{doc_id}.txt", plan, "text/plain")})
                upload.update(status=r.status_code, body=r.json() if r.headers.get("content-type", "").startswith(
                    "application/json") else r.text[:300], s=time.perf_counter() - t0)

        def make(i):
            if i == CLIENTS:
                started.set()
            q = plan_q if i % 4 == 0 else qs[i % len(qs)]["question"]
            return "POST", "/api/ask", {"question": q}

        seen = {"present": 0, "absent": 0}

        def check(i, spec, status, body):
            if status != 200:
                return f"HTTP {status}"
            q = spec[2]["question"]
            key = S.answer_key(body)
            if q == plan_q:
                if key == absent_plan:
                    seen["absent"] += 1
                    return None
                cits = body.get("citations") or []
                if facts["lead"] in body.get("answer", "") and cits and cits[0]["doc_id"] == doc_id:
                    seen["present"] += 1
                    return None
                return f"plan question answered neither with nor without the plan: {body.get('answer')!r}"
            if key != qs[i % len(qs)]["key"]:
                return f"answer differs from baseline for {q!r}: {body.get('answer')!r}"
            return None

        th = threading.Thread(target=uploader, daemon=True)
        th.start()
        runs = []
        while len(runs) <= 40:      # keep asking until one whole batch started after the upload was over
            upload_over = not th.is_alive()
            runs.append(run_load(server.url, make, batch, concurrency=CLIENTS, timeout_s=TIMEOUT_S, max_seconds=1200,
                                 check=check))
            if upload_over and len(runs) >= 2:
                break
        th.join(timeout=600)
        res = _merge(runs)
        torch_after = any(_torch_loaded(pid) for pid in [server.proc.pid, *workers])
    finally:
        server.stop()
    lines = _structured_lines(server)
    up = [ln for ln in lines if ln["path"] == "/api/documents" and ln["method"] == "POST"]
    assert len(up) == 1, up
    u_end = up[0]["ts"]
    u_start = u_end - up[0]["latency_ms"] / 1000
    asks = [ln for ln in lines if ln["path"] == "/api/ask"]
    during = sorted(ln["ts"] for ln in asks if u_start < ln["ts"] < u_end)
    gaps = [b - a for a, b in zip([u_start, *during], [*during, u_end])]

    def stats(rows):
        lat = [r["latency_ms"] for r in rows]
        return {"n": len(lat), "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
                "max_ms": round(max(lat), 1) if lat else 0.0}
    overlapping = [ln for ln in asks if ln["ts"] > u_start and ln["ts"] - ln["latency_ms"] / 1000 < u_end]
    rest = [ln for ln in asks if not (ln["ts"] > u_start and ln["ts"] - ln["latency_ms"] / 1000 < u_end)]
    upload_s = up[0]["latency_ms"] / 1000
    _record_load("load_first_upload", res, uvicorn_workers=1, upload_status=upload.get("status"),
                 upload_s=round(upload_s, 1), torch_in_server_before_upload=torch_before,
                 torch_in_server_after_upload=torch_after, asks_answered_during_upload=len(during),
                 longest_pause_in_answers_during_upload_s=round(max(gaps), 1),
                 asks_overlapping_upload=stats(overlapping), asks_not_overlapping=stats(rest),
                 plan_question_answered_with_plan=seen["present"], plan_question_answered_without_plan=seen["absent"])
    assert upload.get("status") == 200 and upload["body"][0]["status"] == "added", upload
    _assert_clean(res, res.requests)
    assert seen["present"] > 0, "the load ended before the uploaded plan was answerable"
    assert len(during) >= CLIENTS, f"only {len(during)} questions answered during a {upload_s:.1f} s upload"
    assert max(gaps) < 0.5 * upload_s, \
        f"the worker stopped answering for {max(gaps):.1f} s of a {upload_s:.1f} s upload"
    assert "Traceback" not in server.log_text(), server.log_tail()
