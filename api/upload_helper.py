"""Uploads are parsed, segmented, embedded and written by a helper process, not by a
serving worker.

A serving worker answers questions with numpy only (index/numpy_encoder.py): it never
imports torch. The upload path needs heavy imports the first time it runs: underthesea for
word segmentation (which itself imports transformers and torch) and sentence-transformers
for the passage embeddings, 10-20 s of imports on a loaded machine, most of it holding the
GIL. Done inside a serving worker, that froze every question of the worker. Measured under
load (16 clients, tests/reliability/test_load.py::test_first_upload_under_load, before this
module): the first upload of a fresh server stalled its worker for ~51 s, questions waited
up to 67 s and 5 of 200 timed out (60 s).

So each serving worker hands its uploads to one helper process of its own: started on the
first upload, kept for the next ones (warm), in the worker's process group (a SIGKILL of
the server takes it down too; the index stays the old or the new generation, as with any
killed writer). The worker keeps answering while the helper imports and embeds. The index
writer lock is a file lock, so the helper, the other workers and the CLI exclude each
other as before. When those modules are already loaded in the process (tests that build
an index in-process), the upload runs in-process: there is nothing to spare.
"""
from __future__ import annotations

import importlib
import multiprocessing
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from index.errors import PlanQAError

HEAVY = ("torch", "underthesea")


def _helper_init() -> None:
    """Ctrl+C reaches the whole process group: the server shuts the helper down itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ingest(home: str, path: str, name: str) -> tuple:
    """In the helper process: one upload through ``index.build.ingest_files``. PlanQA errors
    come back as data (their ``detail`` would not survive pickling)."""
    from index.build import ingest_files
    from index.embedding import load_embedder

    try:
        results = ingest_files(Path(home), [Path(path)], load_embedder(Path(home)), names=[name])
    except PlanQAError as exc:
        return ("error", type(exc).__module__, type(exc).__name__, exc.status, exc.code, exc.message, exc.detail)
    return ("ok", [r.summary() for r in results])


def _raise(module: str, cls_name: str, status: int, code: str, message: str, detail: str):
    try:
        cls = getattr(importlib.import_module(module), cls_name)
        exc = cls(message, detail) if issubclass(cls, PlanQAError) else None
    except (ImportError, AttributeError, TypeError):
        exc = None
    if exc is None:
        exc = PlanQAError(message, detail)
        exc.status, exc.code = status, code
    raise exc


class UploadHelper:
    """One worker's upload helper process (see the module docstring)."""

    def __init__(self, home: Path, embedder_of):
        self.home = str(Path(home))
        self._embedder_of = embedder_of        # the in-process fallback's embedder, on demand
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def ingest(self, path: Path, name: str) -> list[dict]:
        """Add or replace one uploaded file; returns the ``IngestResult`` summaries."""
        if all(m in sys.modules for m in HEAVY):
            from index.build import ingest_files
            return [r.summary() for r in ingest_files(Path(self.home), [Path(path)], self._embedder_of(),
                                                      names=[name])]
        for attempt in (1, 2):
            pool = self._get_pool()
            try:
                out = pool.submit(_ingest, self.home, str(path), name).result()
                break
            except BrokenProcessPool:          # the helper died (killed, out of memory): a new one, once
                with self._lock:
                    if self._pool is pool:
                        self._pool = None
                if attempt == 2:
                    raise
        if out[0] == "error":
            _raise(*out[1:])
        return out[1]

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a clean interpreter (fork would copy a multi-threaded server process)
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_helper_init)
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
