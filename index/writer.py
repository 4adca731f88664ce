"""Write a new index generation: the previous one minus removed documents plus new ones.

Unchanged documents keep their stored vectors and tokens (nothing is re-embedded); the
BM25 and FAISS structures are rebuilt from the stored arrays, which takes seconds even
at 100k chunks. See :mod:`index.store` for the folder layout and the atomic swap.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index import text as vt
from index.errors import StorageError
from index.models import ParsedDocument
from index.store import (SCHEMA, GenerationFiles, connect, current_token, new_generation_dir, seal_generation,
                         swap_current)


@dataclass
class DocRecord:
    """One document ready to store: its parse, chunk vectors and BM25 tokens."""
    parsed: ParsedDocument
    vectors: np.ndarray                       # [len(parsed.chunks), dim] float32
    word_tokens: list[list[str]] = field(default_factory=list)
    fold_tokens: list[list[str]] = field(default_factory=list)


def tokens_for(parsed: ParsedDocument, segment: bool = True) -> tuple[list[list[str]], list[list[str]]]:
    """BM25 tokens of every chunk (accented field, folded field)."""
    texts = [c.retrieval_text for c in parsed.chunks]
    return [vt.bm25_tokens(t, segment=segment) for t in texts], [vt.folded_tokens(t) for t in texts]


def write_generation(home: Path, previous: Path | None, remove: set[str], add: list[DocRecord],
                     meta_updates: dict[str, dict], model: dict, faiss_kind: str = "flat",
                     extra_manifest: dict | None = None) -> Path:
    """Build and swap in a new generation; returns its folder.

    ``remove``: doc ids to drop from ``previous``; ``add``: documents to insert (a doc
    id present in both is replaced); ``meta_updates``: doc id → Document fields to
    overwrite (metadata merged in from a duplicate copy).
    """
    gen = new_generation_dir(home)
    files = GenerationFiles(gen)
    try:
        con = _open_store(previous, files)
        old_vectors = _load_vectors(previous)
        drop = set(remove) | {r.parsed.document.id for r in add}
        _delete_docs(con, drop)
        _update_meta(con, meta_updates)
        next_row = (con.execute("SELECT MAX(row) FROM chunks").fetchone()[0] or -1) + 1
        new_vecs = []
        for rec in add:
            next_row = _insert_doc(con, rec, next_row)
            if len(rec.parsed.chunks):
                new_vecs.append(rec.vectors.astype(np.float32))
        vectors = _renumber(con, old_vectors, new_vecs, dim=model["dim"])
        con.commit()
        counts = _counts(con)
        word, fold, vocab = _all_tokens(con)
        con.close()
        np.save(files.vectors, vectors)
        _write_bm25(word, files.bm25_word)
        _write_bm25(fold, files.bm25_fold)
        files.vocab.write_text(json.dumps(sorted(vocab), ensure_ascii=False))
        files.df.write_text(json.dumps(_fold_df(fold), ensure_ascii=False))
        _write_faiss(vectors, files.faiss, faiss_kind)
        manifest = {"model": model, "normalizer_version": vt.NORMALIZER_VERSION, "counts": counts,
                    "faiss_index": faiss_kind, **(extra_manifest or {})}
        seal_generation(gen, manifest)
    except BaseException as exc:
        shutil.rmtree(gen, ignore_errors=True)
        if _is_storage_error(exc):
            raise _storage_error(exc) from exc
        raise
    try:
        swap_current(home, gen)
    except OSError as exc:
        if current_token(home) != gen.name:           # not live: the previous generation stays
            shutil.rmtree(gen, ignore_errors=True)
        raise _storage_error(exc) from exc
    return gen


def _is_storage_error(exc: BaseException) -> bool:
    """A full disk or a read-only folder, whichever library noticed it first."""
    if isinstance(exc, OSError):
        return True
    msg = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return any(w in msg for w in ("disk", "full", "readonly", "read-only", "unable to open", "i/o"))
    if isinstance(exc, RuntimeError):          # faiss reports a failed write as RuntimeError
        return any(w in msg for w in ("write error", "no space", "read-only", "errno"))
    return False


def _storage_error(exc: BaseException) -> StorageError:
    reason = getattr(exc, "strerror", None) or str(exc)[:200] or type(exc).__name__
    return StorageError("Không ghi được chỉ mục: ổ đĩa đầy hoặc thư mục dữ liệu chỉ đọc; chỉ mục giữ nguyên / "
                        "cannot write the index: disk full or data folder read-only; the index is unchanged",
                        reason)


def _open_store(previous: Path | None, files: GenerationFiles) -> sqlite3.Connection:
    if previous is not None:
        shutil.copyfile(GenerationFiles(previous).sqlite, files.sqlite)
        return connect(files.sqlite)
    con = connect(files.sqlite)
    con.executescript(SCHEMA)
    return con


def _load_vectors(previous: Path | None) -> np.ndarray | None:
    if previous is None:
        return None
    return np.load(GenerationFiles(previous).vectors, mmap_mode="r")


def _delete_docs(con: sqlite3.Connection, doc_ids: set[str]) -> None:
    for table in ("documents", "sections", "tasks", "indicators", "chunks"):
        col = "id" if table == "documents" else "doc_id"
        con.executemany(f"DELETE FROM {table} WHERE {col} = ?", [(d,) for d in doc_ids])


def _update_meta(con: sqlite3.Connection, updates: dict[str, dict]) -> None:
    for doc_id, fields in updates.items():
        row = con.execute("SELECT meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is not None:
            meta = {**json.loads(row["meta"]), **fields}
            con.execute("UPDATE documents SET meta = ? WHERE id = ?", (json.dumps(meta, ensure_ascii=False), doc_id))


def _insert_doc(con: sqlite3.Connection, rec: DocRecord, next_row: int) -> int:
    p, d = rec.parsed, rec.parsed.document
    con.execute("INSERT INTO documents VALUES (?,?,?,?,?,?)",
                (d.id, json.dumps(asdict(d), ensure_ascii=False), p.text, d.duplicate_of, d.sha256, time.time()))
    con.executemany("INSERT INTO sections VALUES (?,?)",
                    [(d.id, json.dumps(asdict(s), ensure_ascii=False)) for s in p.sections])
    con.executemany("INSERT INTO tasks VALUES (?,?,?)",
                    [(d.id, i, json.dumps(asdict(t), ensure_ascii=False)) for i, t in enumerate(p.tasks)])
    con.executemany("INSERT INTO indicators VALUES (?,?,?)",
                    [(d.id, i, json.dumps(asdict(t), ensure_ascii=False)) for i, t in enumerate(p.indicators)])
    rows = []
    for i, c in enumerate(p.chunks):
        rows.append((c.id, next_row + i, c.doc_id, c.kind, json.dumps(c.section_path, ensure_ascii=False),
                     c.heading, c.text, c.span[0], c.span[1], c.task_index, c.indicator_index,
                     json.dumps(rec.word_tokens[i], ensure_ascii=False),
                     json.dumps(rec.fold_tokens[i], ensure_ascii=False)))
    con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return next_row + len(p.chunks)


def _renumber(con: sqlite3.Connection, old: np.ndarray | None, new: list[np.ndarray], dim: int) -> np.ndarray:
    """Rows become 0..n-1 in their current order; vectors follow the same order."""
    rows = [r[0] for r in con.execute("SELECT row FROM chunks ORDER BY row")]
    n_old = 0 if old is None else old.shape[0]
    kept_old = [r for r in rows if r < n_old]
    parts = [np.asarray(old[kept_old], dtype=np.float32)] if kept_old else []
    parts += new
    vectors = np.concatenate(parts, axis=0) if parts else np.zeros((0, dim), np.float32)
    if vectors.shape[0] != len(rows):
        raise RuntimeError(f"vector/chunk count mismatch: {vectors.shape[0]} != {len(rows)}")
    con.execute("CREATE TEMP TABLE renum AS SELECT id, ROW_NUMBER() OVER (ORDER BY row) - 1 AS r FROM chunks")
    con.execute("CREATE UNIQUE INDEX temp.renum_id ON renum(id)")   # without it the UPDATE is quadratic
    con.execute("UPDATE chunks SET row = (SELECT r FROM renum WHERE renum.id = chunks.id)")
    con.execute("DROP TABLE renum")
    return vectors


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {"documents": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL"),
            "duplicates": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL"),
            "chunks": q("SELECT COUNT(*) FROM chunks"), "tasks": q("SELECT COUNT(*) FROM tasks"),
            "indicators": q("SELECT COUNT(*) FROM indicators")}


def _all_tokens(con: sqlite3.Connection) -> tuple[list[list[str]], list[list[str]], set[str]]:
    word, fold, vocab = [], [], set()
    for row in con.execute("SELECT word_tokens, fold_tokens FROM chunks ORDER BY row"):
        w = json.loads(row[0])
        word.append(w or [""])
        fold.append(json.loads(row[1]) or [""])
        vocab.update(t for t in w if "_" in t)
    return word, fold, vocab


def _fold_df(fold: list[list[str]]) -> dict:
    """Document frequency of every folded token: the IDF weights of answer matching."""
    df: dict[str, int] = {}
    for toks in fold:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    return {"n": len(fold), "df": df}


def _write_bm25(tokens: list[list[str]], folder: Path) -> None:
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(tokens or [[""]], show_progress=False)
    retriever.save(str(folder), show_progress=False)


def _write_faiss(vectors: np.ndarray, path: Path, kind: str) -> None:
    import faiss

    dim = vectors.shape[1]
    if kind == "hnsw" and vectors.shape[0] > 0:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    if vectors.shape[0]:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(path))
