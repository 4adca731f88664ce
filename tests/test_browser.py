"""Real-browser end-to-end test of the web chat and the documents page.

A real ``planqa serve`` process (its own index built with ``planqa index build``) is driven
with Chromium through Playwright: ask → citation chip → highlighted source → upload a new
plan on /documents → ask about it → an abstained answer. Screenshots land in
``eval/reports/screenshots/`` (git-ignored).

Deselected by default (pyproject addopts); run with ``make test-browser`` or
``pytest -q -m browser tests/test_browser.py``.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "eval" / "reports" / "screenshots"
ADMIN_KEY = "browser-test-key-7f3a91"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

Q_FIRST = "Đơn vị nào chủ trì mô hình an toàn thông tin 4 lớp?"
Q_UPLOADED = "Ai chủ trì xây dựng vườn ươm cây giống bưởi đỏ?"
Q_OTHER_PROVINCE = "Kế hoạch của tỉnh Hà Tĩnh giao ai chủ trì?"
ANSWER_TIMEOUT_MS = 120_000       # the first answer may take a while on a loaded CPU
UPLOAD_TIMEOUT_MS = 180_000       # parse + embed + new generation

UPLOADED_PLAN = """ỦY BAN NHÂN DÂN
XÃ THỬ NGHIỆM
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 15/KH-UBND
Xã Thử Nghiệm, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
Phát triển vườn ươm cây giống bưởi đỏ năm 2026

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Phát triển vùng trồng bưởi đỏ, nâng cao thu nhập cho người dân trên địa bàn xã.

II. NHIỆM VỤ VÀ GIẢI PHÁP
1. Phòng Kinh tế chủ trì xây dựng vườn ươm cây giống bưởi đỏ, hoàn thành trong Quý III/2026.
2. Hợp tác xã nông nghiệp phối hợp cung ứng đất và nhân công cho vườn ươm.

III. TỔ CHỨC THỰC HIỆN
Phòng Kinh tế theo dõi, đôn đốc và báo cáo kết quả thực hiện về Ủy ban nhân dân xã trước ngày 15/12/2026.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn An
"""


# ---------------------------------------------------------------- helpers

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, timeout: float = 10.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (local server)
        return r.status, json.loads(r.read().decode("utf-8"))


def _post_json(url: str, body: dict, timeout: float = 120.0):
    req = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
        return json.loads(r.read().decode("utf-8"))


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server by its own PID: SIGTERM, then SIGKILL if it does not exit."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    try:
        r = subprocess.run(["sh", "-c", "apt-get update && apt-get install -y chromium chromium-driver"],
                           capture_output=True, text=True, timeout=1200,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} and apt-get failed: {exc}")
    if r.returncode != 0 or not CHROMIUM.exists():
        tail = (r.stderr or r.stdout or "").strip().splitlines()[-3:]
        pytest.skip(f"Chromium is not installed at {CHROMIUM} and "
                    f"`apt-get install chromium chromium-driver` failed (rc={r.returncode}): {' | '.join(tail)}")


def _model_cache() -> Path:
    """The shared converted model (converted once if missing)."""
    from index.embedding import model_dir, prepare_model

    cache = Path(os.environ.get("PLANQA_TEST_CACHE") or ROOT / "var" / "test-cache")
    prepare_model(cache, quiet=True)
    return model_dir(cache).parent          # <cache>/models


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def browser_home(tmp_path_factory) -> Path:
    """A PlanQA home with the index built over corpus/ by the real CLI."""
    home = tmp_path_factory.mktemp("planqa-browser-home")
    (home / "models").symlink_to(_model_cache(), target_is_directory=True)
    env = {**os.environ, "PLANQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    r = subprocess.run([str(BIN / "planqa"), "index", "build", "--corpus", "corpus"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, f"planqa index build failed:\n{r.stdout}\n{r.stderr}"
    return home


@pytest.fixture(scope="module")
def server(browser_home, tmp_path_factory):
    """A real `planqa serve` subprocess on a free port; yields its base URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    env = {**os.environ, "PLANQA_HOME": str(browser_home), "PLANQA_ADMIN_KEY": ADMIN_KEY,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PLANQA_LLM_URL": ""}
    with open(log, "wb") as fh:
        proc = subprocess.Popen([str(BIN / "planqa"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"planqa serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                status, body = _get_json(f"{base}/healthz", timeout=5)
                if status == 200 and body.get("index_loaded"):
                    break
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"planqa serve not ready after 300 s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser():
    _ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


class PageWatch:
    """Console errors, uncaught page errors and every request host seen by a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", self._request)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text} @ {msg.location}")

    def _request(self, req) -> None:
        self.requests.append(req.url)
        parsed = urlparse(req.url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.hostname != "127.0.0.1":
            self.foreign.append(req.url)

    def check(self, where: str) -> None:
        assert not self.errors, f"{where}: browser console errors: {self.errors}"
        assert not self.foreign, f"{where}: requests to hosts other than 127.0.0.1: {self.foreign}"


def _ask(page, question: str):
    """Type a question, press Enter and return the new answer card (waits for it)."""
    before = page.locator("#conversation .turn").count()
    box = page.locator("#question")
    box.click()
    box.fill(question)
    box.press("Enter")
    turn = page.locator("#conversation .turn").nth(before)
    turn.locator(".answer .answer-text, .error-card").first.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    if turn.locator(".error-card").count():
        raise AssertionError(f"the chat showed an error for {question!r}: {turn.locator('.error-card').inner_text()!r}")
    assert turn.locator(".question-bubble").inner_text().endswith(question)
    return turn.locator(".answer")


def _stored_answer(page, question: str) -> dict:
    """The answer JSON the chat received (kept in sessionStorage history)."""
    history = page.evaluate("() => JSON.parse(sessionStorage.getItem('planqa-chat-history') || '[]')")
    for entry in reversed(history):
        if entry.get("question") == question and entry.get("answer"):
            return entry["answer"]
    raise AssertionError(f"no stored answer for {question!r} in session history")


# ---------------------------------------------------------------- the test

def test_chat_citation_upload_and_abstain(server, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    watch = PageWatch(page)
    try:
        # ---- 1. the chat loads cleanly, offline-only
        page.goto(f"{server}/", wait_until="networkidle")
        page.locator("#question").wait_for(state="visible")
        watch.check("chat page load")

        # ---- 2. a real question gets a cited answer
        card = _ask(page, Q_FIRST)
        assert "abstained" not in (card.get_attribute("class") or ""), card.inner_text()
        chips = card.locator(".citation-chip")
        assert chips.count() >= 1, f"no citation chip in: {card.inner_text()}"
        page.screenshot(path=str(SHOTS / "chat-answer.png"), full_page=True)

        answer = _stored_answer(page, Q_FIRST)
        assert answer["citations"], answer

        # ---- 3. clicking a chip opens the source with the quoted span highlighted
        chip = chips.first
        n = int(chip.get_attribute("data-n"))
        citation = next(c for c in answer["citations"] if c["n"] == n)
        chip.click()
        mark = page.locator("#source-panel mark")
        mark.wait_for(state="visible", timeout=30_000)
        marked = mark.text_content() or ""
        doc = _get_json(f"{server}/api/documents/{citation['doc_id']}")[1]
        assert marked.strip(), "highlighted span is empty"
        # the panel marks text[start:end] of the document: the API's quote, character for character
        assert marked == citation["quote"] or marked in doc["text"], \
            f"highlight {marked[:120]!r} is neither the quote {citation['quote'][:120]!r} nor in the document"
        assert doc["text"][citation["start"]:citation["end"]] == citation["quote"]
        page.locator("#source-panel").screenshot(path=str(SHOTS / "source-panel.png"))
        page.screenshot(path=str(SHOTS / "chat-source-panel.png"))
        page.keyboard.press("Escape")
        page.locator("#source-panel").wait_for(state="hidden")

        # ---- 4. the abstained state for a plan we do not have
        card = _ask(page, Q_OTHER_PROVINCE)
        assert "abstained" in (card.get_attribute("class") or ""), f"expected abstention, got: {card.inner_text()}"
        assert page.locator(".answer.abstained").count() >= 1
        page.screenshot(path=str(SHOTS / "chat-abstained.png"), full_page=True)
        watch.check("chat")

        # ---- 5. upload a new plan on /documents with the admin key
        plan = tmp_path / "kh-vuon-uom-buoi-do.txt"
        plan.write_text(UPLOADED_PLAN, encoding="utf-8")
        page.goto(f"{server}/documents", wait_until="networkidle")
        page.locator("#doc-table tbody tr").first.wait_for(state="visible")
        rows_before = page.locator("#doc-table tbody tr").count()
        page.locator("#api-key").fill(ADMIN_KEY)
        page.locator("#api-key").press("Tab")
        page.locator("#upload-file").set_input_files(str(plan))
        page.locator("#upload-button").click()
        result = page.locator("#upload-result.message-success")
        try:
            result.wait_for(state="visible", timeout=UPLOAD_TIMEOUT_MS)
        except Exception:
            raise AssertionError(f"upload did not succeed: {page.locator('#upload-result').inner_text()!r}") from None
        assert "Đã thêm văn bản mới" in result.inner_text(), result.inner_text()
        page.wait_for_function(f"document.querySelectorAll('#doc-table tbody tr').length > {rows_before}",
                               timeout=30_000)
        page.screenshot(path=str(SHOTS / "documents.png"), full_page=True)
        watch.check("documents page")

        # ---- 6. the new plan is answerable at once
        page.goto(f"{server}/", wait_until="networkidle")
        card = _ask(page, Q_UPLOADED)
        text = card.locator(".answer-text").inner_text()
        assert "abstained" not in (card.get_attribute("class") or ""), text
        assert "Phòng Kinh tế" in text, text
        uploaded = _stored_answer(page, Q_UPLOADED)
        assert any(c["doc_id"] == "kh-vuon-uom-buoi-do" for c in uploaded["citations"]), uploaded["citations"]
        page.screenshot(path=str(SHOTS / "chat-uploaded-plan.png"), full_page=True)

        # ---- 7. mobile width: the conversation and the source overlay still fit
        page.set_viewport_size({"width": 375, "height": 812})
        page.wait_for_timeout(300)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page scrolls horizontally by {overflow}px at 375px"
        page.screenshot(path=str(SHOTS / "mobile-375.png"), full_page=False)
        card.locator(".citation-chip").first.click()
        page.locator("#source-panel mark").wait_for(state="visible", timeout=30_000)
        page.screenshot(path=str(SHOTS / "mobile-375-source.png"), full_page=False)
        watch.check("whole session")
    finally:
        context.close()
