"""The stored index: a folder of plain files per *generation*, swapped in atomically.

Layout under ``$PLANQA_HOME/index/``::

    CURRENT                 name of the live generation (replaced with os.replace)
    .lock                   writers take an exclusive flock; readers never lock
    gen-000007/
        manifest.json       format version, model name/dim/fingerprint, normalizer version,
                            counts, sha256 of every file below
        store.sqlite        documents, sections, chunks (+ their BM25 tokens), tasks, indicators,
                            signatures (MinHash of each document, for duplicate detection)
        vectors.npy         float32 [n_chunks, dim], row i = chunk with row i
        dense.faiss         FAISS index over vectors.npy (ids = rows)
        bm25_word/          bm25s index over accented tokens (syllables + underthesea words),
                            + tf.npy: term frequencies, so the next write updates it (index.postings)
        bm25_fold/          bm25s index over accent-folded syllables and syllable pairs (+ tf.npy)
        vocab.json          multi-syllable words seen at index time, to segment queries the
                            same way without loading underthesea at query time
        df.json             document frequency of folded tokens (IDF weights for answering)

A writer builds a complete new generation next to the live one, fsyncs it, then swaps
``CURRENT``. A crash at any point leaves the previous generation live and loadable; a
reader that opened a generation keeps using it until it reopens.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from index.errors import IndexMismatch, IndexMissing, StorageError

FORMAT_VERSION = 1
SCHEMA = """
CREATE TABLE documents (id TEXT PRIMARY KEY, meta TEXT NOT NULL, text TEXT NOT NULL,
                        duplicate_of TEXT, sha256 TEXT, added_at REAL);
CREATE TABLE sections (doc_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE tasks (doc_id TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE indicators (doc_id TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE chunks (id TEXT PRIMARY KEY, row INTEGER NOT NULL, doc_id TEXT NOT NULL,
                     kind TEXT NOT NULL, section_path TEXT NOT NULL, heading TEXT NOT NULL,
                     text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
                     task_index INTEGER, indicator_index INTEGER,
                     word_tokens TEXT NOT NULL, fold_tokens TEXT NOT NULL);
CREATE INDEX chunks_row ON chunks(row);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE INDEX sections_doc ON sections(doc_id);
CREATE INDEX tasks_doc ON tasks(doc_id);
CREATE INDEX indicators_doc ON indicators(doc_id);
"""
# Added after the first format; every writer runs it (stores copied from older generations lack it).
SIGNATURES_DDL = ("CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, "
                  "hashvalues BLOB NOT NULL)")


def index_root(home: Path) -> Path:
    return Path(home) / "index"


def current_generation(home: Path) -> Path | None:
    """The live generation folder, or None when no index was built yet."""
    root = index_root(home)
    try:
        name = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    gen = root / name
    return gen if name and gen.is_dir() else None


def current_token(home: Path) -> str:
    """Cheap change detector for readers: the live generation's name ('' if none)."""
    try:
        return (index_root(home) / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return ""


@contextlib.contextmanager
def write_lock(home: Path, timeout: float = 600.0):
    """Exclusive lock for writers (builds, uploads, deletes); readers never take it."""
    root = index_root(home)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fh = open(root / ".lock", "a+")
    except OSError as exc:
        raise StorageError(f"Không ghi được vào thư mục dữ liệu / data folder not writable: {root}", str(exc)) from exc
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StorageError("Chỉ mục đang được ghi bởi tiến trình khác / index is busy") from None
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def new_generation_dir(home: Path) -> Path:
    """A fresh, empty folder for the next generation (never the live one)."""
    root = index_root(home)
    existing = [int(p.name.split("-")[1]) for p in root.glob("gen-*") if p.name.split("-")[1].isdigit()]
    n = max(existing, default=0) + 1
    gen = root / f"gen-{n:06d}"
    try:
        gen.mkdir(parents=True)
    except OSError as exc:
        raise StorageError(f"Không tạo được thư mục chỉ mục / cannot create index folder {gen}", str(exc)) from exc
    return gen


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_tree(folder: Path) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    for d in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sha256_files(paths: list[Path]) -> list[str]:
    """:func:`sha256_file` of each path, on every core (hashlib and file reads release the GIL:
    a 100k-chunk generation is about 1.2 GB)."""
    from concurrent.futures import ThreadPoolExecutor

    if len(paths) <= 1:
        return [sha256_file(p) for p in paths]
    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1)) as pool:
        return list(pool.map(sha256_file, paths))


def seal_generation(gen: Path, manifest: dict) -> None:
    """Record file hashes in the manifest and make everything durable before the swap."""
    paths = [p for p in sorted(gen.rglob("*")) if p.is_file() and p.name != "manifest.json"]
    files = {str(p.relative_to(gen)): h for p, h in zip(paths, sha256_files(paths))}
    manifest = {**manifest, "format_version": FORMAT_VERSION, "files": files, "created": time.time()}
    (gen / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    _fsync_tree(gen)


def swap_current(home: Path, gen: Path, keep: int = 3) -> None:
    """Atomically make ``gen`` the live generation, then prune old ones (keeping ``keep``)."""
    root = index_root(home)
    tmp = root / "CURRENT.tmp"
    tmp.write_text(gen.name + "\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    prune_generations(home, keep=keep)


def prune_generations(home: Path, keep: int = 3) -> None:
    """Remove old and abandoned (crashed) generation folders; the live one always stays."""
    live = current_token(home)
    gens = sorted(index_root(home).glob("gen-*"))
    for old in gens[:-keep] if keep else gens:
        if old.name != live:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(gen: Path) -> dict:
    try:
        return json.loads((gen / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise IndexMissing(
            f"Chỉ mục hỏng hoặc thiếu manifest / index manifest missing or corrupt: {gen}. "
            "Chạy / run `planqa index build` để dựng lại.", str(exc)) from exc


def verify_generation(gen: Path, manifest: dict, deep: bool = False) -> None:
    """Refuse a generation with missing files (always) or changed bytes (``deep``)."""
    listed = manifest.get("files", {})
    for name in listed:
        if not (gen / name).is_file():
            raise IndexMissing(f"Thiếu tệp chỉ mục / index file missing: {name}. "
                               "Chạy / run `planqa index build` để sửa.")
    if deep:
        names = list(listed)
        for name, digest in zip(names, sha256_files([gen / n for n in names])):
            if digest != listed[name]:
                raise IndexMissing(f"Tệp chỉ mục bị hỏng / index file corrupt: {name}. "
                                   "Chạy / run `planqa index build` để sửa.")


def check_model(manifest: dict, model_name: str, dim: int, fingerprint: str) -> None:
    """An index built with another embedding model must be rebuilt, not silently misused."""
    m = manifest.get("model", {})
    if (m.get("name"), m.get("dim"), m.get("fingerprint")) != (model_name, dim, fingerprint):
        raise IndexMismatch(
            f"Chỉ mục được dựng bằng mô hình khác ({m.get('name')}, dim {m.get('dim')}, {m.get('fingerprint')}) "
            f"so với mô hình hiện tại ({model_name}, dim {dim}, {fingerprint}). "
            "Index was built with another embedding model; run `planqa index build` to rebuild it.")


def check_normalizer(manifest: dict) -> None:
    """An index tokenized by another version of index/text.py must be rebuilt: its BM25
    terms would no longer match the questions' (and a write would mix both)."""
    from index.text import NORMALIZER_VERSION

    got = manifest.get("normalizer_version")
    if got != NORMALIZER_VERSION:
        raise IndexMismatch(
            f"Chỉ mục được dựng bằng phiên bản chuẩn hóa văn bản {got} (hiện tại: {NORMALIZER_VERSION}). "
            "Index was built by another text-normalizer version; run `planqa index build` to rebuild it.")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    else:
        con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return con


@dataclass
class GenerationFiles:
    """Paths of one generation's files."""
    root: Path

    @property
    def sqlite(self) -> Path:
        return self.root / "store.sqlite"

    @property
    def vectors(self) -> Path:
        return self.root / "vectors.npy"

    @property
    def faiss(self) -> Path:
        return self.root / "dense.faiss"

    @property
    def bm25_word(self) -> Path:
        return self.root / "bm25_word"

    @property
    def bm25_fold(self) -> Path:
        return self.root / "bm25_fold"

    @property
    def vocab(self) -> Path:
        return self.root / "vocab.json"

    @property
    def df(self) -> Path:
        return self.root / "df.json"
