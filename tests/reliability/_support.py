"""Shared machinery of the reliability suite: scale, real server processes, index checks,
the figures collector and the report writer.

Everything here drives real processes: ``planqa serve`` (uvicorn) and ``planqa index
build``/``ingest``/``index remove`` subprocesses. Each process is started in its own
process group (``start_new_session=True``) and is only ever signalled through the id of
the group this suite created, never by name.
"""
from __future__ import annotations

import functools
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
PLANQA = str(Path(sys.executable).with_name("planqa"))
# The full run writes the committed report; the reduced CI run writes elsewhere (Makefile).
REPORT_DIR = Path(os.environ.get("PLANQA_RELIABILITY_REPORT_DIR") or ROOT / "eval" / "reports")
ADMIN_KEY = "rel-admin-key-7f3a9c1e5b"          # only ever sent in X-API-Key; must never appear in logs


# ------------------------------------------------------------------ scale

def scale() -> float:
    """PLANQA_RELIABILITY_SCALE (default 1.0): multiplies request counts and repetitions."""
    raw = os.environ.get("PLANQA_RELIABILITY_SCALE", "").strip()
    try:
        value = float(raw) if raw else 1.0
    except ValueError:
        raise ValueError(f"PLANQA_RELIABILITY_SCALE must be a number, not {raw!r}") from None
    return max(0.01, value)


def scaled(n: int, floor: int) -> int:
    """``n`` scaled by PLANQA_RELIABILITY_SCALE, never below ``floor`` (keeps tests meaningful)."""
    return max(floor, int(round(n * scale())))


# ------------------------------------------------------------------ figures

FIGURES: dict[str, dict] = {}
OUTCOMES: dict[str, str] = {}
_LOCK = threading.Lock()
SESSION = {"start": time.time()}


def record(section: str, **data) -> None:
    """Record figures of one test (merged into the section); written to the report at the end."""
    with _LOCK:
        FIGURES.setdefault(section, {}).update(data)


def bump(section: str, key: str, n: int = 1) -> None:
    with _LOCK:
        sec = FIGURES.setdefault(section, {})
        sec[key] = sec.get(key, 0) + n


# ------------------------------------------------------------------ homes

def copy_home(src: Path, dst: Path) -> Path:
    """A private copy of a built home (the models folder stays a symlink)."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def proc_env(home: Path, admin_key: str | None = ADMIN_KEY, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env.update({"PLANQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"})
    if admin_key:
        env["PLANQA_ADMIN_KEY"] = admin_key
    env.update(extra)
    return env


def flat(text: str) -> str:
    """Whitespace collapsed (the CLI wraps long messages to the terminal width)."""
    return " ".join(text.split())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process group this suite created for ``proc`` (its id is proc.pid)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def run_cli(args: list[str], home: Path, timeout: float = 900, **env_extra) -> subprocess.CompletedProcess:
    """Run ``planqa ARGS`` to completion (own process group, killed if it overstays)."""
    proc = subprocess.Popen([PLANQA, *args], cwd=ROOT, env=proc_env(home, **env_extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(f"planqa {' '.join(args)} overstayed {timeout}s; stderr: {err[-2000:]}") from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# ------------------------------------------------------------------ server

class Server:
    """A real ``planqa serve`` uvicorn process on a free loopback port."""

    def __init__(self, home: Path, log_path: Path, workers: int = 1, admin_key: str | None = ADMIN_KEY,
                 env: dict | None = None, wrapper: list[str] | None = None):
        self.home = Path(home)
        self.log_path = Path(log_path)
        self.workers = workers
        self.admin_key = admin_key
        self.extra_env = env or {}
        self.wrapper = wrapper or []
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.startup_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready: bool = True, timeout: float = 420.0) -> "Server":
        self.port = free_port()
        cmd = [*self.wrapper, PLANQA, "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", str(self.workers)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=proc_env(self.home, self.admin_key, **self.extra_env),
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.wait_up(ready=ready, timeout=timeout)
        self.startup_s = time.perf_counter() - t0
        return self

    def wait_up(self, ready: bool = True, timeout: float = 420.0) -> int:
        """Wait until /healthz answers (200 when ``ready``; any answer otherwise)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = httpx.get(self.url + "/healthz", timeout=5, trust_env=False)
                last = r.status_code
                if r.status_code == 200 or (not ready and r.status_code in (200, 503)):
                    return r.status_code
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server not up after {timeout}s (last /healthz {last}):\n{self.log_tail()}")

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kw.pop("timeout", 120), trust_env=False, **kw)

    def admin(self) -> dict:
        return {"X-API-Key": ADMIN_KEY}

    def kill9(self) -> None:
        if self.proc is not None:
            kill_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        kill_group(self.proc, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def worker_pids(self) -> list[int]:
        """Child processes of the uvicorn supervisor (the workers), read from /proc."""
        pids = []
        task_dir = Path(f"/proc/{self.proc.pid}/task")
        for task in task_dir.glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        workers = []
        for pid in pids:                       # not multiprocessing's resource tracker
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"resource_tracker" not in cmd:
                workers.append(pid)
        return workers

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n: int = 4000) -> str:
        return self.log_text()[-n:]


# ------------------------------------------------------------------ index checks

def index_state(home: Path, deep: bool = True) -> dict:
    """Open the live generation like the server does (plus a hash check) and verify that
    every view of it agrees: manifest counts, the document table, chunk rows, FAISS,
    vectors.npy and both BM25 indexes. Returns a summary; raises AssertionError (or the
    product's clear error) when anything disagrees."""
    import numpy as np

    from index.reader import open_index

    snap = open_index(home, deep_verify=deep)
    m = snap.manifest
    con = sqlite3.connect(f"file:{snap.files.sqlite}?mode=ro", uri=True)
    try:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        counts = {"documents": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL"),
                  "duplicates": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL"),
                  "chunks": q("SELECT COUNT(*) FROM chunks"), "tasks": q("SELECT COUNT(*) FROM tasks"),
                  "indicators": q("SELECT COUNT(*) FROM indicators")}
        rows = [r[0] for r in con.execute("SELECT row FROM chunks ORDER BY row")]
        orphan = q("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)")
    finally:
        con.close()
    assert m["counts"] == counts, f"manifest counts {m['counts']} != store {counts}"
    n = len(snap.chunks)
    assert rows == list(range(n)), "chunk rows are not 0..n-1"
    assert orphan == 0, f"{orphan} chunks belong to no document"
    assert snap.faiss.ntotal == n, f"FAISS {snap.faiss.ntotal} != {n} chunks"
    assert np.load(snap.files.vectors, mmap_mode="r").shape[0] == n, "vectors.npy rows != chunks"
    for bm in (snap.bm25_word, snap.bm25_fold):
        assert int(bm.scores["num_docs"]) == max(n, 1), f"BM25 has {bm.scores['num_docs']} docs for {n} chunks"
    texts = {}
    for i in range(n):
        d = snap.chunks.doc_ids[i]
        if d not in texts:
            texts[d] = snap.document_text(d)
        assert texts[d][snap.chunks.starts[i]:snap.chunks.ends[i]] == snap.chunks.texts[i], f"chunk {i} span"
    return {"generation": snap.name, "documents": sorted(snap.documents), "chunks": n,
            "primary": sorted(snap.primary_documents()),
            "duplicates": {k: v["duplicate_of"] for k, v in snap.documents.items() if v.get("duplicate_of")}}


def generations(home: Path) -> set[str]:
    root = Path(home) / "index"
    return {p.name for p in root.glob("gen-*")} if root.is_dir() else set()


# ------------------------------------------------------------------ test data

CROPS = ["bưởi đỏ", "cam Vinh", "chè xanh", "lạc sen", "mía tím", "nhãn lồng", "dứa Queen", "sen hồng",
         "gừng núi", "quế Quỳ", "măng tre", "nghệ vàng", "thanh long", "dưa hấu", "ngô nếp", "khoai lang"]
UNITS = ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND", "Trạm Khuyến nông",
         "Hợp tác xã Nông nghiệp", "Đoàn Thanh niên", "Hội Nông dân", "Công an xã", "Hội Phụ nữ"]


def plan_facts(i: int) -> dict:
    """The facts of synthetic plan ``i``: who leads the survey task, and the question about it."""
    rng = random.Random(i)
    lead, partner, *extra = rng.sample(UNITS, 5)
    crop = CROPS[i % len(CROPS)]
    return {"i": i, "crop": crop, "lead": lead, "partner": partner, "extra": extra, "year": 2026 + i % 4,
            "question": f"Đơn vị nào chủ trì khảo sát, quy hoạch vùng trồng {crop} số {i}?"}


@functools.lru_cache(maxsize=1)
def _corpus_lines() -> tuple[str, ...]:
    lines = []
    for p in sorted(CORPUS.glob("*.txt")):
        if "-ocr" in p.name:
            continue
        lines += [ln.strip().lstrip("-+•* ").strip() for ln in p.read_text(encoding="utf-8").splitlines()
                  if 50 < len(ln.strip()) < 220 and "chủ trì" not in ln and "\t" not in ln]
    return tuple(lines)


def make_plan(i: int) -> str:
    """A small, realistic, unique plan: a header, the task of :func:`plan_facts` and 14
    sentences drawn from the seed plans (different for every ``i``, so near-duplicate
    detection never merges two of them, and far too few to look like a seed plan)."""
    f = plan_facts(i)
    crop, lead, partner, extra, year = f["crop"], f["lead"], f["partner"], f["extra"], f["year"]
    body = random.Random(1000 + i).sample(_corpus_lines(), 14)
    lines = [f"UBND XÃ THỬ NGHIỆM SỐ {i}", f"Số: {100 + i}/KH-UBND              Thử Nghiệm, ngày {1 + i % 27} tháng "
             f"{1 + i % 12} năm {year}", "KẾ HOẠCH",
             f"Về phát triển vùng trồng {crop} kiểu mẫu số {i} trên địa bàn xã", "", "I. MỤC ĐÍCH, YÊU CẦU",
             f"- Hình thành vùng {crop} tập trung quy mô {10 + i} ha, áp dụng quy trình VietGAP.",
             *[f"- {b}" for b in body[:7]],
             "II. NHIỆM VỤ VÀ GIẢI PHÁP",
             f"1. {lead} chủ trì khảo sát, quy hoạch vùng trồng {crop} số {i}, hoàn thành trong Quý "
             f"{'I' * (1 + i % 3)}/{year}.",
             f"2. {partner} phối hợp tập huấn kỹ thuật canh tác {crop} cho {20 + i} hộ dân.",
             *[f"{k}. {b}" for k, b in enumerate(body[7:], start=3)],
             "III. TỔ CHỨC THỰC HIỆN",
             f"{extra[2]} hướng dẫn các thôn triển khai; kinh phí {50 + 7 * i} triệu đồng từ ngân sách xã.",
             "", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", f"Nguyễn Văn Thử {i}"]
    return "\n".join(lines) + "\n"


def gold_questions(limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "gold" / "questions.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def answer_key(body: dict) -> tuple:
    """What must not change between two answers to the same question: text, abstention,
    citations (plan + exact span + quote). Ids, timings and scores may differ."""
    return (body.get("answer"), body.get("abstained"),
            tuple((c["doc_id"], c["start"], c["end"], c["quote"]) for c in body.get("citations", [])))


def gold_correct(answer: str, groups: list[list[str]], abstained: bool) -> bool:
    """The gold matching rule (eval/gold/README.md): every group has one alternative in the answer."""
    from index.text import fold

    def norm(s: str) -> str:
        return " ".join(fold(s).lower().split())
    if not groups:
        return abstained
    a = norm(answer)
    return all(any(norm(alt) in a for alt in group) for group in groups)


# ------------------------------------------------------------------ report

def machine() -> str:
    try:
        cpu = len(os.sched_getaffinity(0))
    except AttributeError:
        cpu = os.cpu_count()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"{platform.machine()}, {cpu} cores, Python {platform.python_version()}, load avg at end {load}"


def write_report(outcomes: dict[str, str]) -> Path | None:
    if not FIGURES:
        return None
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    keys = ("requests_sent", "server_errors_5xx", "timeouts", "transport_errors", "wrong_answers",
            "faults_injected", "recoveries", "bad_inputs_tried", "fuzz_cases")
    FIGURES["totals"] = {k: sum(sec.get(k, 0) for name, sec in FIGURES.items()
                                if name != "totals" and isinstance(sec.get(k), int)) for k in keys}
    data = {"generated": time.strftime("%Y-%m-%d %H:%M:%S"), "scale": scale(), "machine": machine(),
            "runtime_s": round(time.time() - SESSION["start"], 1), "tests": outcomes, "figures": FIGURES}
    (REPORT_DIR / "reliability.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    path = REPORT_DIR / "reliability.md"
    path.write_text(render_markdown(data), encoding="utf-8")
    return path


def _load_row(name: str, s: dict) -> str:
    return (f"| {name} | {s.get('sent', 0)} | {s.get('concurrency', '')} | {s.get('statuses', {})} | "
            f"{s.get('server_errors_5xx', 0)} | {s.get('timeouts', 0)} | {s.get('transport_errors', 0)} | "
            f"{s.get('wrong_answers', 0)} | {s.get('p50_ms', 0)} | {s.get('p95_ms', 0)} | {s.get('p99_ms', 0)} | "
            f"{s.get('throughput_rps', 0)} | {s.get('duration_s', 0)} |")


def render_markdown(data: dict) -> str:
    f = data["figures"]
    failed = [k for k, v in data["tests"].items() if v != "passed"]
    out = ["# PlanQA reliability report", "",
           f"Generated {data['generated']} by `make check-reliability{'' if data['scale'] == 1 else '-ci'}` "
           f"(`pytest -q -m slow tests/reliability`), PLANQA_RELIABILITY_SCALE={data['scale']}. "
           f"Machine: {data['machine']}. Session runtime: {data['runtime_s']} s.", "",
           "Every figure below was measured in that run against real processes: `planqa serve` (uvicorn) on a "
           "loopback port, real HTTP, and real `planqa index build` / `ingest` / `index remove` subprocesses "
           "killed with SIGKILL.", "",
           f"Tests: {sum(v == 'passed' for v in data['tests'].values())} passed, {len(failed)} not passed"
           + (f" ({', '.join(failed)})" if failed else "") + ".", ""]
    totals = f.get("totals", {})
    out += ["## Summary", "", "| figure | value |", "|---|---|"]
    for k in ("requests_sent", "server_errors_5xx", "timeouts", "transport_errors", "wrong_answers",
              "faults_injected", "recoveries", "bad_inputs_tried", "fuzz_cases"):
        if k in totals:
            out.append(f"| {k.replace('_', ' ')} | {totals[k]} |")
    out.append("")
    loads = {k: v for k, v in f.items() if k.startswith("load")}
    if any("result" in v for v in loads.values()):
        out += ["## Load: `POST /api/ask`", "",
                "| run | sent | clients | statuses | 5xx | timeouts | transport errors | wrong/torn answers | "
                "p50 ms | p95 ms | p99 ms | req/s | duration s |", "|---" * 13 + "|"]
        for name, sec in loads.items():
            if "result" in sec:
                out.append(_load_row(name, sec["result"]))
        out.append("")
        for name, sec in loads.items():
            notes = {k: v for k, v in sec.items() if k != "result"}
            if notes:
                out.append(f"- **{name}**: " + "; ".join(f"{k} = {_short(v)}" for k, v in notes.items()))
        out.append("")
    for title, key in (("Faults: kill -9 at random points", "faults_kill"),
                       ("Consistency: a generation swapped in mid-request", "consistency"),
                       ("Faults: corrupted or missing index files", "faults_corruption"),
                       ("Faults: full disk and read-only data folder", "faults_storage"),
                       ("Bad input: questions", "bad_questions"), ("Bad input: uploads", "bad_uploads"),
                       ("Fuzzing from the OpenAPI schema", "fuzz"), ("Property tests (parser, normalizer)", "properties"),
                       ("Security", "security"), ("Observability", "observability"), ("Setup", "setup")):
        sec = f.get(key)
        if not sec:
            continue
        out += [f"## {title}", ""]
        for k, v in sec.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                cols = list(dict.fromkeys(c for row in v for c in row))
                out += ["", f"**{k}**", "", "| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
                out += ["| " + " | ".join(_short(row.get(c, ""), 90) for c in cols) + " |" for row in v]
                out.append("")
            else:
                out.append(f"- {k.replace('_', ' ')}: {_short(v)}")
        out.append("")
    notes = []
    kills = f.get("faults_kill", {}).get("kills", [])
    stale = sum(r.get("stale_upload_files", 0) for r in kills)
    if kills:
        notes.append(f"Generation folders abandoned by killed writers: {f['faults_kill'].get('abandoned_generation_folders', 0)} "
                     "(never live; new generations are numbered past them and later writes prune them).")
        notes.append(f"Temporary upload files left by a SIGKILLed server: {stale} (in $PLANQA_HOME/uploads; "
                     "harmless, not cleaned automatically).")
    if f.get("security", {}).get("api_docs_page_csp"):
        notes.append("The API reference page /docs (Swagger UI) needs inline scripts; its CSP is "
                     f"`{f['security']['api_docs_page_csp']}`. The chat and documents pages allow no inline script.")
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out) + "\n"


def _short(v, n: int = 300) -> str:
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    s = s.replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= n else s[:n] + "…"
