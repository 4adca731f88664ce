"""Open a stored index generation for reading: the only way rag/ reaches stored data.

Opening is cheap (no BM25 or FAISS rebuild, BM25 arrays memory-mapped); a snapshot is
immutable, so any number of threads can search it while a writer prepares the next
generation.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from index import text as vt
from index.errors import IndexMismatch, IndexMissing, NotFound
from index.store import (GenerationFiles, check_model, check_normalizer, connect, current_generation, read_manifest,
                         verify_generation)

MAX_WORD_SYLLABLES = 4


@dataclass
class ChunkTable:
    """Column-wise chunk data, row i = FAISS id i = BM25 document i."""
    ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    section_paths: list[list[str]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    task_index: list[int | None] = field(default_factory=list)
    indicator_index: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


def _cannot_open(gen: Path, exc: Exception) -> IndexMissing:
    return IndexMissing(f"Không mở được chỉ mục / cannot open index {gen.name}. "
                        "Chạy / run `planqa index build` để sửa.", str(exc))


class IndexSnapshot:
    """One immutable generation: documents, chunks, tasks, indicators, BM25, FAISS."""

    def __init__(self, gen: Path, deep_verify: bool = False):
        self.gen = gen
        self.files = GenerationFiles(gen)
        self.manifest = read_manifest(gen)
        verify_generation(gen, self.manifest, deep=deep_verify)
        try:
            self._load()
        except (OSError, ValueError, RuntimeError, sqlite3.Error, KeyError, TypeError) as exc:
            # a truncated/garbage file surfaces as any of these (sqlite3.DatabaseError for the
            # store, KeyError/TypeError for JSON of the wrong shape): one clear error for all
            raise _cannot_open(gen, exc) from exc

    def _load(self) -> None:
        import bm25s
        import faiss

        con = connect(self.files.sqlite, readonly=True)
        self.documents: dict[str, dict] = _read_documents(con)
        self.tasks: dict[str, list[dict]] = {}
        for row in con.execute("SELECT doc_id, data FROM tasks ORDER BY doc_id, idx"):
            self.tasks.setdefault(row["doc_id"], []).append(json.loads(row["data"]))
        self.indicators: dict[str, list[dict]] = {}
        for row in con.execute("SELECT doc_id, data FROM indicators ORDER BY doc_id, idx"):
            self.indicators.setdefault(row["doc_id"], []).append(json.loads(row["data"]))
        t = self.chunks = ChunkTable()
        for r in con.execute('SELECT id, doc_id, kind, section_path, heading, text, start, "end", '
                             "task_index, indicator_index FROM chunks ORDER BY row"):
            t.ids.append(r[0]); t.doc_ids.append(r[1]); t.kinds.append(r[2])  # noqa: E702
            t.section_paths.append(json.loads(r[3])); t.headings.append(r[4]); t.texts.append(r[5])  # noqa: E702
            t.starts.append(r[6]); t.ends.append(r[7]); t.task_index.append(r[8])  # noqa: E702
            t.indicator_index.append(r[9])
        con.close()
        self.doc_of_row = np.array(t.doc_ids, dtype=object)
        # integer codes per row, so filters are array lookups instead of string comparisons
        self._doc_code = {d: i for i, d in enumerate(self.documents)}
        self.doc_code_of_row = np.fromiter((self._doc_code.get(d, -1) for d in t.doc_ids), dtype=np.int32,
                                           count=len(t))
        self._kind_code: dict[str, int] = {}
        self.kind_code_of_row = np.fromiter((self._kind_code.setdefault(k, len(self._kind_code)) for k in t.kinds),
                                            dtype=np.int32, count=len(t))
        self.bm25_word = bm25s.BM25.load(str(self.files.bm25_word), mmap=True, show_progress=False, verbosity=0)
        self.bm25_fold = bm25s.BM25.load(str(self.files.bm25_fold), mmap=True, show_progress=False, verbosity=0)
        self.faiss = faiss.read_index(str(self.files.faiss))
        self.vocab = set(json.loads(self.files.vocab.read_text()))
        df = json.loads(self.files.df.read_text())
        self.n_chunks_df, self.fold_df = max(df["n"], 1), df["df"]
        if self.faiss.ntotal != len(t):
            raise ValueError(f"FAISS has {self.faiss.ntotal} vectors for {len(t)} chunks")

    # ------------------------------------------------------------ documents

    @property
    def name(self) -> str:
        return self.gen.name

    def primary_documents(self) -> dict[str, dict]:
        return {k: v for k, v in self.documents.items() if not v.get("duplicate_of")}

    def document(self, doc_id: str) -> dict:
        try:
            return self.documents[doc_id]
        except KeyError:
            raise NotFound(f"Không có tài liệu / no document with id {doc_id!r}") from None

    def document_text(self, doc_id: str) -> str:
        self.document(doc_id)
        con = connect(self.files.sqlite, readonly=True)
        try:
            row = con.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        finally:
            con.close()
        return row["text"]

    def sections(self, doc_id: str) -> list[dict]:
        self.document(doc_id)
        con = connect(self.files.sqlite, readonly=True)
        try:
            return [json.loads(r["data"]) for r in con.execute("SELECT data FROM sections WHERE doc_id = ?", (doc_id,))]
        finally:
            con.close()

    def rows_of_docs(self, doc_ids) -> np.ndarray:
        """Boolean mask over chunk rows: rows of the given documents (unknown ids match nothing)."""
        codes = [self._doc_code[d] for d in doc_ids if d in self._doc_code]
        lookup = np.zeros(len(self._doc_code) + 1, dtype=bool)      # the last slot is code -1
        lookup[codes] = True
        return lookup[self.doc_code_of_row]

    def rows_starting_in(self, spans) -> np.ndarray:
        """Boolean mask over chunk rows: rows whose chunk starts in one of ``spans`` ((start,
        end) text offsets; combine with ``rows_of_docs`` for the document they index into)."""
        inside = np.zeros(len(self.chunks), dtype=bool)
        for a, b in spans:
            inside |= (self._chunk_starts >= a) & (self._chunk_starts < b)
        return inside

    @cached_property
    def _chunk_starts(self) -> np.ndarray:
        return np.asarray(self.chunks.starts)

    def rows_of_kinds(self, kinds) -> np.ndarray:
        """Boolean mask over chunk rows: rows whose chunk kind is one of ``kinds``."""
        codes = [self._kind_code[k] for k in kinds if k in self._kind_code]
        lookup = np.zeros(len(self._kind_code) + 1, dtype=bool)
        lookup[codes] = True
        return lookup[self.kind_code_of_row]

    @cached_property
    def flat_vectors(self):
        """The exact (flat) FAISS index holding every chunk vector: the index itself, or the
        storage of an hnsw graph. Scores of chosen rows come from it (retrieve.dense_scores)."""
        import faiss

        index = self.faiss
        if isinstance(index, faiss.IndexFlat):
            return index
        return faiss.downcast_index(index.storage)

    def memo(self, key, build):
        """Data derived from this generation, computed once by ``build()`` and kept with it
        (a new generation starts empty, so nothing derived from a replaced plan is served)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    @cached_property
    def chunk_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.chunks.doc_ids:
            counts[d] = counts.get(d, 0) + 1
        return counts

    # ------------------------------------------------------------ query tokens

    def idf(self, token: str) -> float:
        """Smoothed IDF of a folded token; unseen tokens get the highest weight."""
        return float(np.log((self.n_chunks_df + 1) / (self.fold_df.get(token, 0) + 0.5)))

    def query_word_tokens(self, query: str) -> list[str]:
        """Accented BM25 tokens of a query, segmented with the index's own word list."""
        syl = vt.syllables(query)
        out = list(syl)
        i = 0
        while i < len(syl):
            for n in range(min(MAX_WORD_SYLLABLES, len(syl) - i), 1, -1):
                w = "_".join(syl[i:i + n])
                if w in self.vocab:
                    out.append(w)
                    i += n - 1
                    break
            i += 1
        return out


def _read_documents(con: sqlite3.Connection) -> dict[str, dict]:
    return {row["id"]: json.loads(row["meta"])
            for row in con.execute("SELECT id, meta FROM documents ORDER BY added_at, id")}


class StoredDocuments:
    """What a writer needs from the live generation: its manifest, document metadata and the
    documents' duplicate-detection signatures. Unlike :class:`IndexSnapshot` it loads no
    chunk table, BM25 or FAISS index, so it opens in well under a second at any size; with
    ``deep_verify`` every file's hash is still checked (a write never builds on silently
    corrupted files)."""

    def __init__(self, gen: Path, deep_verify: bool = True):
        self.gen = gen
        self.files = GenerationFiles(gen)
        self.manifest = read_manifest(gen)
        verify_generation(gen, self.manifest, deep=deep_verify)
        try:
            con = connect(self.files.sqlite, readonly=True)
            try:
                self.documents = _read_documents(con)
            finally:
                con.close()
        except (OSError, ValueError, sqlite3.Error, KeyError, TypeError) as exc:
            raise _cannot_open(gen, exc) from exc

    def primary_documents(self) -> dict[str, dict]:
        return {k: v for k, v in self.documents.items() if not v.get("duplicate_of")}

    def document_text(self, doc_id: str) -> str:
        con = connect(self.files.sqlite, readonly=True)
        try:
            row = con.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        finally:
            con.close()
        if row is None:
            raise NotFound(f"Không có tài liệu / no document with id {doc_id!r}")
        return row["text"]

    def signatures(self, key: str) -> dict[str, np.ndarray]:
        """Stored signature hash values by doc id (generations written before signatures
        were stored have none: the caller computes those)."""
        con = connect(self.files.sqlite, readonly=True)
        try:
            has = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signatures'").fetchone()
            if not has:
                return {}
            from index.dedup import signature_values
            return {r[0]: signature_values(r[1])
                    for r in con.execute("SELECT doc_id, hashvalues FROM signatures WHERE key = ?", (key,))}
        finally:
            con.close()


def open_index(home: Path, model: dict | None = None, deep_verify: bool = False) -> IndexSnapshot:
    """Open the live generation; refuse one built with another embedding model or text normalizer."""
    gen = current_generation(home)
    if gen is None:
        raise IndexMissing(f"Chưa có chỉ mục trong {home} / no index yet. Chạy / run `planqa index build`.")
    snap = IndexSnapshot(gen, deep_verify=deep_verify)
    check_normalizer(snap.manifest)
    if model is not None:
        check_model(snap.manifest, model["name"], model["dim"], model["fingerprint"])
    return snap


__all__ = ["IndexSnapshot", "StoredDocuments", "open_index", "IndexMismatch"]
