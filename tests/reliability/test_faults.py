"""Faults: SIGKILL of real writers and servers at random points, corrupted and missing
index files, a full disk and a read-only data folder. After every fault the index must
load, every view of it must agree (manifest, store, FAISS, vectors, BM25, document list)
and it must be exactly the index before or after the interrupted write; errors must be
clear messages, never a traceback or a 500."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability import _support as S

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------ kill -9 at random points

def _pool(folder: Path, n: int, first: int = 0) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(first, first + n):
        p = folder / f"ke-hoach-pool-{i:02d}.txt"
        p.write_text(S.make_plan(i), encoding="utf-8")
        out[p.stem] = p
    return out


def _spawn(args: list[str], home: Path, log: Path) -> subprocess.Popen:
    fh = open(log, "ab")
    try:
        return subprocess.Popen([S.PLANQA, *args], cwd=S.ROOT, env=S.proc_env(home), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        fh.close()


def _wait_new_generation(home: Path, before: set[str], alive, timeout: float = 600) -> float:
    """Block until a writer created its next generation folder (or stopped); returns the time."""
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        if S.generations(home) - before:
            break
        time.sleep(0.003)
    return time.monotonic()


def _sleep_while(alive, seconds: float) -> None:
    end = time.monotonic() + seconds
    while alive() and time.monotonic() < end:
        time.sleep(0.002)


def _calibrate(args: list[str], home: Path, log: Path) -> dict:
    """Run a writer to completion; measure its lifetime and its write window (new
    generation folder appears → process exit)."""
    before = S.generations(home)
    t0 = time.monotonic()
    proc = _spawn(args, home, log)
    t_gen = _wait_new_generation(home, before, lambda: proc.poll() is None)
    proc.wait(timeout=900)
    t_end = time.monotonic()
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]
    return {"lifetime_s": t_end - t0, "write_window_s": max(0.05, t_end - t_gen)}


def test_kill9_writers_and_server_at_random_points(seed_home, tmp_path):
    """≥20 SIGKILLs that land (scaled, floor 8) on `planqa index remove`, `planqa ingest`,
    `planqa index build` and on the server in the middle of an upload/delete. Most kills
    land at a random point of the writer's critical section (from the moment its new
    generation folder appears until it exits); every 5th lands anywhere in its lifetime."""
    rng = random.Random(int(os.environ.get("PLANQA_RELIABILITY_SEED", "20260501")))
    home = S.copy_home(seed_home, tmp_path / "home")
    pool = _pool(tmp_path / "pool", 14)
    build_dir = tmp_path / "build-corpus"
    build_pool = _pool(build_dir, 2, first=40)
    log = tmp_path / "writers.log"

    # calibration: one complete ingest (adds the pool) and one complete remove
    cal_ingest = _calibrate(["ingest", *map(str, pool.values())], home, log)
    state = S.index_state(home)
    assert set(pool) <= set(state["primary"]), "pool plans must be indexed as separate plans"
    cal_remove = _calibrate(["index", "remove", "ke-hoach-pool-00"], home, log)
    state = S.index_state(home)
    assert "ke-hoach-pool-00" not in state["documents"]
    windows = {"remove": [cal_remove["write_window_s"]], "ingest": [cal_ingest["write_window_s"]]}
    lifetimes = {"remove": cal_remove["lifetime_s"], "ingest": cal_ingest["lifetime_s"]}

    want = S.scaled(20, 8)
    full = want >= 16
    heavy = ["server"] * (2 if full else 1) + ["ingest"] * (2 if full else 0)
    rng.shuffle(heavy)
    builds_left, server_retried = 1, False
    rows, leftovers, landed, n = [], 0, 0, 0
    replenished = 0
    while (landed < want or heavy or builds_left) and n < 2 * want + 8:
        if len(set(state["primary"]) & set(pool)) < 2:
            # the removes used up the pool: put it back with a clean, unkilled ingest (not a fault)
            r = S.run_cli(["ingest", *map(str, pool.values())], home)
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
            state = S.index_state(home)
            assert set(pool) <= set(state["documents"]), "the pool could not be put back"
            replenished += 1
        before, prev_gen = set(state["documents"]), state["generation"]
        present = sorted(set(state["primary"]) & set(pool)) or sorted(state["primary"])
        absent = sorted(set(pool) - before)
        if heavy and n % 4 == 1:
            target = heavy.pop()
        elif builds_left and not heavy and landed >= want - builds_left:
            target, builds_left = "build", builds_left - 1
        else:
            target = "remove"
        if target == "ingest" and not absent:
            target = "remove"
        gens_before = S.generations(home)
        t0 = time.monotonic()
        if target == "server":
            # the server embeds before it opens the new generation: its critical section is a
            # write like `index remove`'s, not the CLI ingest's (which includes process exit)
            row = _kill_server_mid_write(home, tmp_path, n, rng, pool, present, absent,
                                         sorted(windows["remove"])[len(windows["remove"]) // 2], state,
                                         before_write=server_retried)
            expected = row.pop("expected")
            if not row["killed"] and not server_retried:
                # the write finished first: kill the retry earlier, while the upload is parsed/embedded
                heavy.append("server")
                server_retried = True
        else:
            kind = "remove" if target == "remove" else "ingest"
            if target == "remove":
                victim = rng.choice(present)
                args = ["index", "remove", victim]
                expected = before - {victim} - {d for d, p in state["duplicates"].items() if p == victim}
            elif target == "ingest":
                files = [pool[k] for k in absent[:4]]
                args, expected = ["ingest", *map(str, files)], before | {p.stem for p in files}
            else:
                args, expected = ["index", "build", "--corpus", str(build_dir)], set(build_pool)
            window = sorted(windows[kind])[len(windows[kind]) // 2]          # median observed
            proc = _spawn(args, home, log)
            alive = lambda: proc.poll() is None  # noqa: E731
            anywhere = target == "remove" and n % 5 == 4
            if anywhere:
                delay = rng.uniform(0, lifetimes[kind])
                _sleep_while(alive, delay)
                where = "anywhere"
            else:
                t_gen = _wait_new_generation(home, gens_before, alive)
                delay = rng.uniform(0, window)
                _sleep_while(alive, delay)
                where = "critical section"
            killed = alive()
            if killed:
                S.kill_group(proc, signal.SIGKILL)
            proc.wait(timeout=60)
            if not killed and not anywhere:                                  # learn the real window
                windows[kind].append(max(0.05, time.monotonic() - t_gen))
            row = {"target": " ".join(["planqa", *args[:2]]) if args[0] == "index" else "planqa ingest",
                   "point": where, "delay_s": round(delay, 3), "killed": killed}
        state = S.index_state(home)                    # loads, hashes match, every view agrees
        docs = set(state["documents"])
        if state["generation"] == prev_gen:           # the write did not finish: exactly the old index
            assert docs == before, f"kill #{n} ({target}): old generation but documents {sorted(docs)}"
        else:                                         # it finished: exactly the new index
            assert state["generation"] not in gens_before and docs == set(expected), \
                f"kill #{n} ({target}): generation {state['generation']} with documents {sorted(docs)}"
        partial = sorted(S.generations(home) - {state["generation"]} - gens_before)
        leftovers += len(partial)
        landed += bool(row["killed"])
        row.update({"n": n, "index_after": "old" if state["generation"] == prev_gen else "new",
                    "generation": state["generation"], "abandoned_folders": len(partial),
                    "s": round(time.monotonic() - t0, 1)})
        rows.append(row)
        n += 1

    # recovery: the lock is free and a normal write works on whatever the kills left
    victim = sorted(state["primary"])[0]
    r = S.run_cli(["index", "remove", victim], home)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    final = S.index_state(home)
    assert victim not in final["documents"]
    by_target = {}
    for row in rows:
        if row["killed"]:
            by_target[row["target"]] = by_target.get(row["target"], 0) + 1
    S.record("faults_kill", attempts=len(rows), faults_injected=landed, recoveries=landed,
             kills_by_target=by_target,
             index_after_kill_was_old_generation=sum(r["killed"] and r["index_after"] == "old" for r in rows),
             index_after_kill_was_new_generation=sum(r["killed"] and r["index_after"] == "new" for r in rows),
             abandoned_generation_folders=leftovers, pool_put_back_by_clean_ingest=replenished,
             generation_folders_after_final_write=len(S.generations(home)),
             calibration={"ingest_lifetime_s": round(cal_ingest["lifetime_s"], 1),
                          "remove_lifetime_s": round(cal_remove["lifetime_s"], 1),
                          "median_critical_section_s": {k: round(sorted(v)[len(v) // 2], 2) for k, v in windows.items()}},
             kills=rows)
    assert landed >= want, f"only {landed} of {len(rows)} kills landed (wanted {want})"


def _kill_server_mid_write(home, tmp_path, n, rng, pool, present, absent, window, state,
                           before_write: bool = False) -> dict:
    """SIGKILL the server group (workers and the upload helper) during an upload or delete:
    at a random point of its write (from the new generation folder on), or, with
    ``before_write``, at a random point before it (the upload being parsed and embedded)."""
    server = S.Server(home, tmp_path / f"server-{n}.log", workers=1).start()
    try:
        with server.client() as c:
            api_docs = sorted(d["id"] for d in c.get("/api/documents").json()["documents"])
        assert api_docs == state["documents"], "server document list disagrees with the index"
        before = set(state["documents"])
        if absent:
            doc = absent[0]
            expected = before | {doc}
            op = lambda cl: cl.post("/api/documents", headers=server.admin(),  # noqa: E731
                                    files={"file": (pool[doc].name, pool[doc].read_bytes(), "text/plain")})
            what = "server during upload"
        else:
            doc = rng.choice(present)
            expected = before - {doc}
            op = lambda cl: cl.delete(f"/api/documents/{doc}", headers=server.admin())  # noqa: E731
            what = "server during delete"
        done = threading.Event()

        def request():
            try:
                with server.client(timeout=120) as cl:
                    op(cl)
            except httpx.HTTPError:
                pass
            finally:
                done.set()

        gens_before = S.generations(home)
        th = threading.Thread(target=request, daemon=True)
        th.start()
        if before_write:
            delay = rng.uniform(0.2, 5.0)
            cutoff = time.monotonic() + delay
            _wait_new_generation(home, gens_before, lambda: not done.is_set() and time.monotonic() < cutoff)
        else:
            _wait_new_generation(home, gens_before, lambda: not done.is_set())
            delay = rng.uniform(0, window)
            _sleep_while(lambda: not done.is_set(), delay)
        killed = server.proc.poll() is None and not done.is_set()
        server.kill9()
        th.join(timeout=60)
        stale = list((home / "uploads").glob("*")) if (home / "uploads").is_dir() else []
        for p in stale:                     # a SIGKILLed upload cannot clean its temp file
            p.unlink()
        return {"target": what, "point": "before the write" if before_write else "critical section",
                "delay_s": round(delay, 3), "killed": killed,
                "expected": expected, "stale_upload_files": len(stale)}
    finally:
        server.kill9()
        assert "Traceback" not in server.log_text(), server.log_tail()


# ------------------------------------------------------------------ corrupted / missing files

def _trunc(p: Path, n: int = 64) -> None:
    p.write_bytes(p.read_bytes()[:n])


def _garbage(p: Path) -> None:
    p.write_bytes(os.urandom(max(64, p.stat().st_size)))


def _flip(p: Path) -> None:
    data = bytearray(p.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    p.write_bytes(bytes(data))


CORRUPTIONS = {
    "dense.faiss missing": lambda g, h: (g / "dense.faiss").unlink(),
    "dense.faiss truncated": lambda g, h: _trunc(g / "dense.faiss"),
    "dense.faiss garbage": lambda g, h: _garbage(g / "dense.faiss"),
    "store.sqlite garbage": lambda g, h: _garbage(g / "store.sqlite"),
    "store.sqlite truncated": lambda g, h: _trunc(g / "store.sqlite", 4096),
    "store.sqlite empty": lambda g, h: _trunc(g / "store.sqlite", 0),
    "manifest.json missing": lambda g, h: (g / "manifest.json").unlink(),
    "manifest.json garbage": lambda g, h: (g / "manifest.json").write_text("{not json"),
    "vocab.json garbage": lambda g, h: (g / "vocab.json").write_text("[1,"),
    "df.json wrong shape": lambda g, h: (g / "df.json").write_text('{"n": 3}'),
    "bm25 params truncated": lambda g, h: _trunc(g / "bm25_fold" / "params.index.json", 5),
    "bm25 arrays missing": lambda g, h: (g / "bm25_word" / "data.csc.index.npy").unlink(),
    "generation folder deleted": lambda g, h: shutil.rmtree(g),
    "CURRENT names a missing generation": lambda g, h: (h / "index" / "CURRENT").write_text("gen-999999\n"),
    "CURRENT empty": lambda g, h: (h / "index" / "CURRENT").write_text(""),
}


def _point_current(home: Path, name: str) -> None:
    tmp = home / "index" / "CURRENT.tmp"
    tmp.write_text(name + "\n")
    os.replace(tmp, home / "index" / "CURRENT")


def _corrupt_copy(home: Path, good: str, name: str, fn) -> str:
    """A new generation = copy of ``good`` with one corruption, made live like a writer would."""
    root = home / "index"
    n = max(int(p.name.split("-")[1]) for p in root.glob("gen-*")) + 1
    gen = root / f"gen-{n:06d}"
    shutil.copytree(root / good, gen)
    _point_current(home, gen.name)
    fn(gen, home)
    return gen.name


def _assert_clear_503(c: httpx.Client, case: str, home: Path) -> str:
    h = c.get("/healthz")
    assert str(home) not in h.text, f"{case}: the data folder path is shown to clients"
    assert h.status_code == 503, (case, h.status_code, h.text)
    assert h.json()["status"] == "not_ready" and "planqa index build" in h.json()["error"], (case, h.text)
    for method, path, body in (("POST", "/api/ask", {"question": "Ai ký kế hoạch?"}), ("GET", "/api/documents", None),
                               ("GET", "/api/search?q=ke+hoach", None)):
        r = c.request(method, path, json=body)
        assert r.status_code == 503, (case, path, r.status_code, r.text)
        assert "planqa index build" in r.json()["error"], (case, path, r.text)
        assert str(home) not in r.text, f"{case}: the data folder path is shown to clients"
    return h.json()["error"]


def test_corrupt_or_missing_index_files_clear_error_and_build_repairs(seed_home, tmp_path):
    """A server started on a corrupted index comes up not-ready with a clear error; `planqa
    index build` repairs it while the server runs; then each kind of corrupted or missing
    file, swapped in as the live generation, gives a clear 503 (never a 500) and the server
    recovers as soon as a good generation is live again. Writes are refused (403) because
    this server has no admin key."""
    home = S.copy_home(seed_home, tmp_path / "home")
    good = S.index_state(home)["generation"]
    _corrupt_copy(home, good, "start", CORRUPTIONS["store.sqlite garbage"])
    server = S.Server(home, tmp_path / "server.log", workers=1, admin_key=None)
    server.start(ready=False)
    rows = []
    try:
        with server.client() as c:
            first_error = _assert_clear_503(c, "startup on garbage store.sqlite", home)
            r = c.delete("/api/documents/x", headers={"X-API-Key": S.ADMIN_KEY})
            assert r.status_code == 403 and r.json()["error"], r.text
            # CLI on the broken index: one clear message, exit code 1, no traceback
            cli = S.run_cli(["ask", "Ai ký kế hoạch?"], home, admin_key=None)
            assert cli.returncode == 1 and "planqa index build" in S.flat(cli.stderr), cli.stderr
            assert "Traceback" not in cli.stderr
            rows.append({"case": "server start on garbage store.sqlite", "healthz": 503, "api": 503,
                         "cli_exit": cli.returncode, "message": first_error[:90], "recovered_by": "planqa index build"})
            # repair with a real build while the server keeps running
            corpus = tmp_path / "repair-corpus"
            _pool(corpus, 3, first=60)
            t0 = time.perf_counter()
            b = S.run_cli(["index", "build", "--corpus", str(corpus)], home)
            assert b.returncode == 0, b.stderr[-2000:]
            repair_s = time.perf_counter() - t0
            h = c.get("/healthz")
            assert h.status_code == 200 and h.json()["documents"] == 3, h.text
            ans = c.post("/api/ask", json={"question": S.plan_facts(60)["question"]}).json()
            assert S.plan_facts(60)["lead"] in ans["answer"], ans
            good = S.index_state(home)["generation"]
            for case, fn in CORRUPTIONS.items():
                _corrupt_copy(home, good, case, fn)
                msg = _assert_clear_503(c, case, home)
                _point_current(home, good)                 # a good generation is live again
                h = c.get("/healthz")
                assert h.status_code == 200, (case, h.text)
                rows.append({"case": case, "healthz": 503, "api": 503, "cli_exit": "", "message": msg[:90],
                             "recovered_by": "good generation live"})
            # silent bit flips in vectors.npy: queries do not read it, so the server keeps
            # answering; writers verify hashes before building on it and refuse clearly
            gen = _corrupt_copy(home, good, "flip", lambda g, h_: _flip(g / "vectors.npy"))
            assert c.get("/healthz").status_code == 200
            rm = S.run_cli(["index", "remove", "ke-hoach-pool-60"], home)
            assert rm.returncode == 1 and "planqa index build" in S.flat(rm.stderr), rm.stderr
            assert "Traceback" not in rm.stderr, rm.stderr
            assert S.generations(home) >= {gen} and (home / "index" / "CURRENT").read_text().strip() == gen
            rows.append({"case": "vectors.npy bytes flipped", "healthz": 200, "api": 200, "cli_exit": rm.returncode,
                         "message": S.flat(rm.stderr)[:90],
                         "recovered_by": "write refused; index unchanged"})
            _point_current(home, good)
    finally:
        server.stop()
    log = server.log_text()
    assert "Traceback" not in log and '"status": 500' not in log, server.log_tail()
    S.record("faults_corruption", cases=rows, repair_build_s=round(repair_s, 1))
    S.bump("faults_corruption", "faults_injected", len(rows))
    S.bump("faults_corruption", "recoveries", len(rows))


# ------------------------------------------------------------------ full disk / read-only

def _userns_problem() -> str | None:
    """Why a full/read-only disk cannot be faked here (None when it can): the test needs
    util-linux's `unshare`/`nsenter`/`mount` and unprivileged user namespaces in which a
    tmpfs can be mounted and remounted read-only. Probed for real, not guessed."""
    missing = [tool for tool in ("unshare", "nsenter", "mount", "dd") if not shutil.which(tool)]
    if missing:
        return f"missing tools: {', '.join(missing)} (Debian packages util-linux, mount, coreutils)"
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c",
                            f'mount -t tmpfs -o size=64k planqa-probe "{d}" && mount -o remount,ro "{d}"'],
                           capture_output=True, text=True)
    if r.returncode != 0:
        return (f"`unshare --user --map-root-user --mount` + tmpfs mount failed (rc={r.returncode}: "
                f"{S.flat(r.stderr)[:200]}); unprivileged user namespaces are probably disabled")
    return None


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def test_full_disk_and_read_only_data_dir(seed_home, tmp_path):
    """The server's data folder is a small tmpfs (a real ENOSPC), then remounted read-only,
    then given room again — all under a running server, in a private mount namespace
    (unprivileged user namespace; no root needed). Uploads, deletes and feedback give a
    clear 507, questions keep working, the index is unchanged, and once there is room the
    same upload succeeds."""
    problem = _userns_problem()
    if problem:
        pytest.skip(f"cannot fake a full/read-only disk here: {problem}")
    src = S.copy_home(seed_home, tmp_path / "src")
    home = tmp_path / "home"
    home.mkdir()
    size_kb = (_du(src) + 300 * 1024) // 1024
    script = (f'mount -t tmpfs -o size={size_kb}k planqa-full "{home}" && cp -a "{src}/." "{home}/" && exec "$0" "$@"')
    server = S.Server(home, tmp_path / "server.log", workers=1,
                      wrapper=["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
                               "sh", "-c", script])
    server.start()
    view = Path(f"/proc/{server.proc.pid}/root") / str(home).lstrip("/")     # the server's mount namespace

    def ns(*cmd: str) -> None:
        subprocess.run(["nsenter", "--target", str(server.proc.pid), "--user", "--mount", "--preserve-credentials",
                        *cmd], check=True, capture_output=True)

    plan = S.make_plan(77).encode()
    rows = []
    copies = iter(range(100))

    def state_in_namespace() -> dict:
        # SQLite resolves the /proc/PID/root symlink, so check a copy taken through it
        snap = tmp_path / f"ns-copy-{next(copies)}"
        shutil.copytree(view / "index", snap / "index")
        return S.index_state(snap)

    try:
        with server.client() as c:
            h = server.admin()
            docs0 = c.get("/api/documents").json()["documents"]
            gen0 = c.get("/healthz").json()["generation"]

            def attempt(phase: str) -> None:
                ups = c.post("/api/documents", headers=h, files={"file": ("ke-hoach-day.txt", plan, "text/plain")})
                dele = c.delete(f"/api/documents/{docs0[0]['id']}", headers=h)
                fb = c.post("/api/feedback", json={"answer_id": "x" * 16, "helpful": True, "comment": "ổn"})
                ask = c.post("/api/ask", json={"question": "Ai ký kế hoạch của UBND xã Nghĩa Đàn?"})
                for r in (ups, dele):
                    assert r.status_code == 507, (phase, r.status_code, r.text)
                    assert r.json()["code"] == "storage_error" and r.json()["error"], r.text
                assert fb.status_code in (200, 507), (phase, fb.status_code, fb.text)
                assert ask.status_code == 200, ask.text
                assert c.get("/healthz").json()["generation"] == gen0
                assert c.get("/api/documents").json()["documents"] == docs0
                rows.append({"phase": phase, "upload": ups.status_code, "delete": dele.status_code,
                             "feedback": fb.status_code, "ask": ask.status_code,
                             "message": ups.json()["error"][:100]})

            def fill(name: str, leave_kb: int) -> None:
                st = os.statvfs(view)
                count = max(0, st.f_bavail * st.f_frsize // 1024 - leave_kb)
                ns("sh", "-c", f'dd if=/dev/zero of="{home}/{name}" bs=1k count={count} 2>/dev/null; true')

            fill("fill-1.bin", 256)     # room for the upload itself, not for a new generation
            attempt("disk almost full: the new generation hits ENOSPC")
            state_in_namespace()
            fill("fill-2.bin", 0)       # no room at all: even the upload's temporary file fails
            attempt("disk completely full: the upload's temp file hits ENOSPC")
            state_in_namespace()
            ns("rm", "-f", f"{home}/fill-1.bin", f"{home}/fill-2.bin")
            ns("mount", "-o", "remount,ro", str(home))
            attempt("read-only data folder")
            state_in_namespace()
            ns("mount", "-o", f"remount,rw,size={size_kb + 8192}k", str(home))
            ok = c.post("/api/documents", headers=h, files={"file": ("ke-hoach-day.txt", plan, "text/plain")})
            assert ok.status_code == 200 and ok.json()[0]["status"] == "added", ok.text
            ans = c.post("/api/ask", json={"question": S.plan_facts(77)["question"]}).json()
            assert S.plan_facts(77)["lead"] in ans["answer"], ans
            rows.append({"phase": "room again (remount rw, bigger)", "upload": ok.status_code, "delete": "",
                         "feedback": "", "ask": 200, "message": "recovered without restart"})
            state = state_in_namespace()
            assert sorted(d["id"] for d in c.get("/api/documents").json()["documents"]) == state["documents"]
            assert not list((view / "uploads").glob("*")), "temporary upload files left behind"
    finally:
        server.stop()
    log = server.log_text()
    assert "Traceback" not in log, server.log_tail()
    S.record("faults_storage", phases=rows, mechanism="tmpfs in a private user+mount namespace (unshare/nsenter)")
    S.bump("faults_storage", "faults_injected", 3)
    S.bump("faults_storage", "recoveries", 1)
