"""Write a new index generation: the previous one minus removed documents plus new ones.

Unchanged documents keep what the previous generation stored: vectors (nothing is
re-embedded), BM25 postings (:mod:`index.postings`: only the new chunks are counted, then
every weight is recomputed from arrays) and MinHash signatures (duplicate detection never
re-reads stored texts). Adding one plan to a 100k-chunk index therefore costs a few seconds,
mostly copying and hashing the generation's files. See :mod:`index.store` for the folder
layout and the atomic swap.
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
from index.postings import Postings
from index.store import (SCHEMA, SIGNATURES_DDL, GenerationFiles, check_normalizer, connect, current_token,
                         new_generation_dir, read_manifest, seal_generation, swap_current)


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
                     meta_updates: dict[str, dict], model: dict, faiss_kind: str | None = None,
                     extra_manifest: dict | None = None) -> Path:
    """Build and swap in a new generation; returns its folder.

    ``remove``: doc ids to drop from ``previous``; ``add``: documents to insert (a doc
    id present in both is replaced); ``meta_updates``: doc id → Document fields to
    overwrite (metadata merged in from a duplicate copy); ``faiss_kind``: flat | hnsw
    (None: the previous generation's kind, else flat).
    """
    gen = new_generation_dir(home)
    files = GenerationFiles(gen)
    try:
        if previous is not None:          # never mix two tokenizations in one index
            check_normalizer(read_manifest(previous))
        prev_kind = read_manifest(previous).get("faiss_index", "flat") if previous is not None else "flat"
        faiss_kind = faiss_kind or prev_kind
        con = _open_store(previous, files)
        old_vectors = _load_vectors(previous)
        n_old = 0 if old_vectors is None else old_vectors.shape[0]
        drop = set(remove) | {r.parsed.document.id for r in add}
        _delete_docs(con, drop)
        _update_meta(con, meta_updates)
        next_row = n_old                  # new chunks go after every old row (see _renumber)
        new_vecs, new_word, new_fold = [], [], []
        for rec in add:
            next_row = _insert_doc(con, rec, next_row)
            if len(rec.parsed.chunks):
                new_vecs.append(rec.vectors.astype(np.float32))
                new_word += rec.word_tokens
                new_fold += rec.fold_tokens
        _store_signatures(con, add)
        kept, vectors = _renumber(con, old_vectors, new_vecs, dim=model["dim"])
        con.commit()
        counts = _counts(con)
        word, fold = _postings(con, previous, n_old, kept, new_word, new_fold)
        con.close()
        np.save(files.vectors, vectors)
        _write_bm25(word, files.bm25_word)
        _write_bm25(fold, files.bm25_fold)
        files.vocab.write_text(json.dumps(sorted(t for t in word.vocab if "_" in t), ensure_ascii=False))
        files.df.write_text(json.dumps(_fold_df(fold), ensure_ascii=False))
        # hnsw: when no old row was removed, the previous graph takes the new vectors
        # (rebuilding it costs about a minute at 100k chunks)
        base = GenerationFiles(previous).faiss if (previous is not None and prev_kind == faiss_kind == "hnsw"
                                                   and kept.size == n_old) else None
        _write_faiss(vectors, files.faiss, faiss_kind, base=base, n_base=n_old)
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
        con = connect(files.sqlite)
    else:
        con = connect(files.sqlite)
        con.executescript(SCHEMA)
    con.execute(SIGNATURES_DDL)
    return con


def _load_vectors(previous: Path | None) -> np.ndarray | None:
    if previous is None:
        return None
    return np.load(GenerationFiles(previous).vectors, mmap_mode="r")


def _delete_docs(con: sqlite3.Connection, doc_ids: set[str]) -> None:
    for table in ("documents", "sections", "tasks", "indicators", "chunks", "signatures"):
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


def _store_signatures(con: sqlite3.Connection, add: list[DocRecord]) -> None:
    """MinHash signature of each added document's text (what duplicate detection compares an
    upload with); documents of an older generation that has none get theirs here, once."""
    from index.dedup import SIGNATURE_KEY, signature, signature_bytes

    rows = [(r.parsed.document.id, r.parsed.text) for r in add]
    rows += con.execute("SELECT id, text FROM documents WHERE id NOT IN "
                        "(SELECT doc_id FROM signatures WHERE key = ?)", (SIGNATURE_KEY,)).fetchall()
    done = {}
    for doc_id, text in rows:
        if doc_id not in done:
            done[doc_id] = signature_bytes(signature(text))
    con.executemany("INSERT OR REPLACE INTO signatures VALUES (?,?,?)",
                    [(d, SIGNATURE_KEY, blob) for d, blob in done.items()])


def _renumber(con: sqlite3.Connection, old: np.ndarray | None, new: list[np.ndarray],
              dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows become 0..n-1 in their current order; vectors follow the same order.
    Returns the old rows kept (ascending) and the vectors of the new generation."""
    n_old = 0 if old is None else old.shape[0]
    if con.execute("SELECT COUNT(*) FROM chunks WHERE row < ?", (n_old,)).fetchone()[0] == n_old:
        # nothing removed: rows are already 0..n_old-1 followed by the new chunks
        rows = np.arange(con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0], dtype=np.int64)
    else:
        cur = con.cursor()
        cur.row_factory = None
        rows = np.fromiter((r[0] for r in cur.execute("SELECT row FROM chunks ORDER BY row")), dtype=np.int64)
    kept = rows[rows < n_old]
    if kept.size == n_old:
        parts = [np.asarray(old[:n_old], dtype=np.float32)] if n_old else []
    else:
        parts = [np.asarray(old[kept], dtype=np.float32)] if kept.size else []
    parts += new
    vectors = np.concatenate(parts, axis=0) if parts else np.zeros((0, dim), np.float32)
    if vectors.shape[0] != len(rows):
        raise RuntimeError(f"vector/chunk count mismatch: {vectors.shape[0]} != {len(rows)}")
    moved = np.flatnonzero(rows != np.arange(len(rows)))
    if moved.size:          # only rows after the first gap change (none when nothing was removed)
        first = int(moved[0])
        con.execute("CREATE TEMP TABLE renum AS SELECT id, ROW_NUMBER() OVER (ORDER BY row) - 1 + ? AS r "
                    "FROM chunks WHERE row >= ?", (first, int(rows[first])))
        con.execute("CREATE UNIQUE INDEX temp.renum_id ON renum(id)")   # without it the UPDATE is quadratic
        con.execute("UPDATE chunks SET row = renum.r FROM renum WHERE renum.id = chunks.id")
        con.execute("DROP TABLE renum")
    return kept, vectors


def _counts(con: sqlite3.Connection) -> dict[str, int]:
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {"documents": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL"),
            "duplicates": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL"),
            "chunks": q("SELECT COUNT(*) FROM chunks"), "tasks": q("SELECT COUNT(*) FROM tasks"),
            "indicators": q("SELECT COUNT(*) FROM indicators")}


def _postings(con: sqlite3.Connection, previous: Path | None, n_old: int, kept: np.ndarray,
              new_word: list[list[str]], new_fold: list[list[str]]) -> tuple[Postings, Postings]:
    """BM25 postings of both fields for the new row order: the previous generation's minus
    the removed rows plus the new chunks; rebuilt from every stored chunk's tokens only when
    the previous generation predates stored postings."""
    if previous is None:
        return Postings.from_tokens(new_word), Postings.from_tokens(new_fold)
    files = GenerationFiles(previous)
    pw, pf = Postings.load(files.bm25_word, n_old), Postings.load(files.bm25_fold, n_old)
    if pw is not None and pf is not None:
        keep = np.zeros(n_old, dtype=bool)
        keep[kept] = True
        return (pw.keep_rows(keep).extend(new_word).compact(), pf.keep_rows(keep).extend(new_fold).compact())
    word, fold = _all_tokens(con)
    return Postings.from_tokens(word), Postings.from_tokens(fold)


def _all_tokens(con: sqlite3.Connection) -> tuple[list[list[str]], list[list[str]]]:
    word, fold = [], []
    for row in con.execute("SELECT word_tokens, fold_tokens FROM chunks ORDER BY row"):
        word.append(json.loads(row[0]))
        fold.append(json.loads(row[1]))
    return word, fold


def _fold_df(fold: Postings) -> dict:
    """Document frequency of every folded token: the IDF weights of answer matching."""
    return {"n": fold.n_rows, "df": dict(zip(fold.vocab, fold.df().tolist()))}


def _write_bm25(postings: Postings, folder: Path) -> None:
    postings.save(folder)


def _write_faiss(vectors: np.ndarray, path: Path, kind: str, base: Path | None = None, n_base: int = 0) -> None:
    """FAISS index over ``vectors``. ``base``: an hnsw index file holding exactly
    ``vectors[:n_base]``, which then only takes the rows after them."""
    import faiss

    dim = vectors.shape[1]
    start = 0
    if kind == "hnsw" and vectors.shape[0] > 0:
        index = _hnsw_base(base, n_base, dim) if base is not None else None
        if index is not None:
            start = n_base
        else:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(dim)
    if vectors.shape[0] > start:
        index.add(np.ascontiguousarray(vectors[start:], dtype=np.float32))
    faiss.write_index(index, str(path))


def _hnsw_base(path: Path, n: int, dim: int):
    import faiss

    try:
        index = faiss.read_index(str(path))
    except RuntimeError:
        return None
    ok = (isinstance(index, faiss.IndexHNSWFlat) and index.ntotal == n and index.d == dim
          and index.metric_type == faiss.METRIC_INNER_PRODUCT)
    return index if ok else None
