"""HTTP face of PlanQA: JSON API for the portal + the static web chat, thin over rag/.

The model and the index load once at start-up; requests never rebuild anything. Writes
(upload/delete) go through index/'s writer lock and atomic swap, so questions answered
meanwhile read either the old or the new generation, never a torn one.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, File, Header, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import (AnswerOut, AskIn, DocumentDetail, DocumentList, ErrorOut, Examples, FeedbackIn,
                         FeedbackOut, Health, SearchOut, UploadOut)
from index.errors import Forbidden, IndexMissing, PlanQAError, StorageError, TooLarge, Unauthorized
from index.settings import home as settings_home
from index.settings import setting

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("planqa.api")
ERRORS = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
          413: {"model": ErrorOut}, 415: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}}
# the stream's errors are JSON even though its 200 is text/event-stream
STREAM_ERRORS = {code: {"description": "Error", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/ErrorOut"}}}} for code in ERRORS}
SSE_EVENT = {"description": "Server-Sent Events", "content": {"text/event-stream": {"schema": {
    "type": "object", "required": ["event", "data"], "properties": {
        "event": {"type": "string", "enum": ["status", "answer", "error", "done"]},
        "data": {"type": "string", "description": "JSON"}}}}}}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
DOCS_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


class EventStream(StreamingResponse):
    """Server-Sent Events (so the OpenAPI schema documents text/event-stream, not JSON)."""
    media_type = "text/event-stream"


def error_body(status: int, error: str, detail: str = "", code: str = "") -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, "code": code or str(status)}, status_code=status)


def sweep_uploads(home: Path, older_than_s: float = 3600.0) -> int:
    """Remove upload temp files a killed server left behind (an upload in progress in
    another worker is younger than ``older_than_s``); returns how many were removed."""
    removed = 0
    cutoff = time.time() - older_than_s
    for p in (Path(home) / "uploads").glob("tmp*"):
        try:
            if p.is_file() and p.stat().st_mtime < cutoff:
                p.unlink()
                removed += 1
        except OSError:
            continue
    if removed:
        log.info(json.dumps({"event": "uploads_swept", "removed": removed}))
    return removed


def create_app(home: Path | None = None, engine=None) -> FastAPI:
    """Build the app. ``engine`` may be passed in (tests share one loaded model)."""
    home = Path(home) if home else settings_home()
    if not log.handlers:                      # one JSON line per request on stderr (no secrets logged)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.engine is None:
            from rag.engine import Engine
            from rag.retrieve import Weights
            app.state.engine = Engine(home, weights=Weights(setting("weight_bm25"), setting("weight_dense"),
                                                            setting("rrf_k")),
                                      max_question_chars=setting("max_question_chars"))
        sweep_uploads(home)
        try:
            app.state.engine.snapshot()        # load model + index once, now
        except PlanQAError as exc:
            log.warning("index not ready: %s", exc.message)
        yield
        helper = getattr(app.state, "upload_helper", None)
        if helper is not None:
            helper.close()

    app = FastAPI(title="PlanQA API", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Hỏi đáp có trích dẫn trên các kế hoạch nhà nước. Write endpoints need `X-API-Key`.")
    app.state.engine = engine
    app.state.home = home
    app.state.max_upload = int(setting("max_upload_mb")) * 1024 * 1024
    _install_middleware(app)
    _install_errors(app)
    _install_routes(app)
    return app


def _install_middleware(app: FastAPI) -> None:
    origins = [o.strip() for o in str(setting("cors_origins")).split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Content-Type", "X-API-Key"])

    @app.middleware("http")
    async def guard_and_log(request: Request, call_next):
        start = time.perf_counter()
        limit = app.state.max_upload + 1024 * 1024
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return error_body(413, "Yêu cầu quá lớn / request body too large",
                              f"max {app.state.max_upload // (1024 * 1024)} MB", "too_large")
        request.state.request_id = uuid.uuid4().hex[:12]

        def log_request(status: int, answer_id: str = "") -> None:
            log.info(json.dumps({"ts": round(time.time(), 3), "request_id": request.state.request_id,
                             "method": request.method,
                                 "path": request.url.path, "status": status,
                                 "latency_ms": round((time.perf_counter() - start) * 1000, 1),
                                 "answer_id": answer_id, "worker": os.getpid()}))

        try:
            response = await call_next(request)
        except Exception:
            log_request(500)           # the error handler answers; the request is still logged
            raise
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = DOCS_CSP if request.url.path.startswith("/docs") else CSP
        log_request(response.status_code, response.headers.get("X-Answer-Id", ""))
        return response


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(PlanQAError)
    async def planqa_error(request: Request, exc: PlanQAError):
        home = app.state.home
        return error_body(exc.status, _public(exc.message, home), _public(exc.detail, home), exc.code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', []))}: {e.get('msg')}" for e in exc.errors())
        return error_body(422, "Dữ liệu gửi lên không hợp lệ / invalid request", detail, "invalid_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        msg = {404: "Không tìm thấy / not found", 405: "Phương thức không được hỗ trợ / method not allowed"}
        return error_body(exc.status_code, msg.get(exc.status_code, str(exc.detail)), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error")
        return error_body(500, "Lỗi máy chủ / internal error", type(exc).__name__, "internal")


def require_key(x_api_key: str | None = Header(None, alias="X-API-Key")) -> None:
    configured = str(setting("admin_key"))
    if not configured:
        raise Forbidden("Chức năng ghi đang tắt: chưa cấu hình PLANQA_ADMIN_KEY / writes disabled (no admin key set)")
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), configured.encode()):
        raise Unauthorized("Sai hoặc thiếu khóa quản trị (X-API-Key) / missing or wrong API key")


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = re.sub(r"[^\w.\- ]+", "", base, flags=re.UNICODE).strip(" .")
    stem, suffix = os.path.splitext(base)
    if len(suffix) > 8:                # not an extension, just a dot in the name
        stem, suffix = base, ""
    return (stem[:120 - len(suffix)] + suffix) if stem else "upload.txt"


def _install_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from swagger_ui_bundle import swagger_ui_path
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    def engine():
        return app.state.engine

    helper_lock = threading.Lock()

    def upload_helper():
        """Uploads run in a helper process (api/upload_helper.py), so the worker keeps
        answering while the upload path's heavy modules load."""
        from api.upload_helper import UploadHelper
        with helper_lock:
            if getattr(app.state, "upload_helper", None) is None:
                app.state.upload_helper = UploadHelper(app.state.home, lambda: engine().embedder)
            return app.state.upload_helper

    @app.get("/", include_in_schema=False)
    def chat_page():
        return FileResponse(STATIC / "index.html")

    @app.get("/documents", include_in_schema=False)
    def documents_page():
        return FileResponse(STATIC / "documents.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="PlanQA API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    @app.get("/healthz", response_model=Health, tags=["system"])
    def healthz():
        eng = engine()
        try:
            snap = eng.snapshot()
        except PlanQAError as exc:
            return JSONResponse({"status": "not_ready", "index_loaded": False,
                                 "error": _public(exc.message, app.state.home)}, status_code=503)
        return {"status": "ok", "index_loaded": True, "generation": snap.name,
                "documents": len(snap.primary_documents()), "chunks": len(snap.chunks),
                "model": snap.manifest.get("model", {}).get("name", "")}

    @app.post("/api/ask", response_model=AnswerOut, responses=ERRORS, tags=["ask"])
    def ask(body: AskIn):
        ans = engine().ask(body.question, body.filter_dict)
        return JSONResponse(ans.to_dict(), headers={"X-Answer-Id": ans.id})

    @app.post("/api/ask/stream", responses={200: SSE_EVENT, **STREAM_ERRORS}, tags=["ask"], response_class=EventStream,
              description="Server-Sent Events: `status` → `answer` (the /api/ask JSON) → `done`; or `error`.")
    def ask_stream(body: AskIn):
        eng = engine()

        def events():
            yield _sse("status", {"stage": "retrieving", "message": "Đang tìm trong các kế hoạch…"})
            try:
                ans = eng.ask(body.question, body.filter_dict)
                yield _sse("status", {"stage": "answering", "message": "Đang soạn câu trả lời…"})
                yield _sse("answer", ans.to_dict())
            except PlanQAError as exc:
                yield _sse("error", {"error": exc.message, "detail": exc.detail})
            yield _sse("done", {})
        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/search", response_model=SearchOut, responses=ERRORS, tags=["search"])
    def search(q: str = Query(..., min_length=1, max_length=1000), k: int = Query(10, ge=1, le=100),
               doc_id: list[str] | None = Query(None), issuer: str | None = None, level: str | None = None,
               year: str | None = None):
        filters = {k2: v for k2, v in {"doc_id": doc_id, "issuer": issuer, "level": level, "year": year}.items() if v}
        hits = engine().search(q, k=k, filters=filters or None)
        return {"query": q, "hits": [h.to_dict() for h in hits]}

    @app.get("/api/examples", response_model=Examples, tags=["ask"])
    def examples():
        return {"examples": _examples(engine())}

    @app.get("/api/documents", response_model=DocumentList, tags=["documents"])
    def list_documents():
        snap = engine().snapshot()
        docs = []
        for doc_id, m in snap.documents.items():
            docs.append({**{k: m.get(k) or "" for k in ("id", "title", "doc_type", "number", "issuer", "date",
                                                         "level", "source_file")},
                         "duplicate_of": m.get("duplicate_of"), "tasks": len(snap.tasks.get(doc_id, [])),
                         "indicators": len(snap.indicators.get(doc_id, [])),
                         "chunks": snap.chunk_counts.get(doc_id, 0)})
        return {"documents": docs}

    @app.get("/api/documents/{doc_id}", response_model=DocumentDetail, responses=ERRORS, tags=["documents"])
    def get_document(doc_id: str):
        snap = engine().snapshot()
        return {"document": snap.document(doc_id), "sections": snap.sections(doc_id),
                "tasks": snap.tasks.get(doc_id, []), "indicators": snap.indicators.get(doc_id, []),
                "text": snap.document_text(doc_id)}

    @app.post("/api/documents", response_model=list[UploadOut], responses=ERRORS, tags=["documents"],
              dependencies=[Depends(require_key)])
    def upload(file: UploadFile = File(...)):
        name = _safe_name(file.filename or "")
        tmpdir = Path(app.state.home) / "uploads"
        tmp = None
        try:
            tmpdir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=tmpdir, suffix=Path(name).suffix, delete=False) as fh:
                tmp = fh.name
                size = 0
                while block := file.file.read(1 << 20):
                    size += len(block)
                    if size > app.state.max_upload:
                        raise TooLarge(f"Tệp quá lớn / file too large (tối đa {app.state.max_upload // 1048576} MB)")
                    fh.write(block)
        except OSError as exc:
            _unlink(tmp)
            raise _storage_error(exc) from exc
        except BaseException:
            _unlink(tmp)
            raise
        try:
            return upload_helper().ingest(Path(tmp), name)
        finally:
            _unlink(tmp)

    @app.delete("/api/documents/{doc_id}", responses=ERRORS, tags=["documents"], dependencies=[Depends(require_key)])
    def delete(doc_id: str):
        from index.build import remove_document
        return {"removed": remove_document(Path(app.state.home), doc_id)}

    @app.post("/api/feedback", response_model=FeedbackOut, responses=ERRORS, tags=["feedback"])
    def feedback(body: FeedbackIn):
        path = Path(app.state.home) / "feedback.sqlite"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(path)
            try:
                con.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, answer_id TEXT, "
                            "helpful INTEGER, comment TEXT, question TEXT, created REAL)")
                cur = con.execute("INSERT INTO feedback (answer_id, helpful, comment, question, created) "
                                  "VALUES (?,?,?,?,?)",
                                  (body.answer_id, int(body.helpful), body.comment, body.question, time.time()))
                con.commit()
                return {"ok": True, "id": cur.lastrowid}
            finally:
                con.close()
        except (OSError, sqlite3.Error) as exc:
            raise _storage_error(exc) from exc


def _public(text: str, home) -> str:
    """An error message without the server's data folder path (the CLI still shows it)."""
    text = text or ""
    for form in {str(Path(home).resolve()), str(home)}:
        if len(form) > 1:
            text = text.replace(form, "$PLANQA_HOME")
    return text


def _unlink(path: str | None) -> None:
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _storage_error(exc: BaseException) -> StorageError:
    """A full disk / read-only data folder as a clear 507 (no path in the message)."""
    reason = getattr(exc, "strerror", None) or str(exc)[:200] or type(exc).__name__
    return StorageError("Không ghi được dữ liệu: ổ đĩa đầy hoặc thư mục dữ liệu chỉ đọc / "
                        "cannot write data: disk full or data folder read-only", reason)


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _examples(eng) -> list[str]:
    """Example questions built from the loaded plans themselves (first task rows)."""
    try:
        snap = eng.snapshot()
    except IndexMissing:
        return []
    out = []
    for doc_id in snap.primary_documents():
        tasks = snap.tasks.get(doc_id, [])
        if tasks:
            words = tasks[min(2, len(tasks) - 1)]["content"].split()[:9]
            out.append(f"Đơn vị nào chủ trì nhiệm vụ “{' '.join(words).rstrip(',.;:')}”?")
        if len(out) >= 3:
            break
    issuers = [m.get("issuer") for m in snap.primary_documents().values() if m.get("issuer")]
    out.append(f"Kế hoạch của {issuers[0]} do ai ký?" if issuers else "Kế hoạch do ai ký?")
    return out
