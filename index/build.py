"""Write-side pipeline: files → parse → deduplicate → embed → stored generation.

``build_index`` rebuilds everything from a corpus folder; ``ingest_files`` and
``remove_document`` change one document without re-embedding the others. All three hold
the writer lock and finish with an atomic swap, so a failure leaves the index as it was.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.errors import NotFound, PlanQAError, UnsupportedFile
from index.models import ParsedDocument
from index.reader import StoredDocuments
from index.store import current_generation, prune_generations, write_lock
from index.writer import DocRecord, tokens_for, write_generation

SUPPORTED = (".txt", ".md", ".docx", ".pdf")


@dataclass
class IngestResult:
    doc_id: str
    status: str                      # added | replaced | unchanged | duplicate
    parsed: ParsedDocument
    duplicate_of: str | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        d = self.parsed.document
        return {"status": self.status, "document": {k: getattr(d, k) for k in (
                    "id", "title", "doc_type", "number", "issuer", "date", "level", "source_file")},
                "duplicate_of": self.duplicate_of, "tasks": len(self.parsed.tasks),
                "indicators": len(self.parsed.indicators), "chunks": len(self.parsed.chunks),
                "sections": len(self.parsed.sections), "warnings": self.warnings}


def model_info(embedder) -> dict:
    return {"name": embedder.name, "dim": embedder.dim, "fingerprint": embedder.fingerprint}


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in Path(corpus_dir).iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED)


def parse_corpus(corpus_dir: Path, progress: bool = True, files: list[Path] | None = None) -> list[ParsedDocument]:
    """Parse every supported file of a corpus folder (or the given files), applying its catalog."""
    from tqdm import tqdm

    from index.catalog import load_catalog
    from index.parse import parse_file

    catalog = load_catalog(corpus_dir)
    files = files if files is not None else corpus_files(corpus_dir)
    out = []
    for path in tqdm(files, desc="Phân tích / parsing", unit="tệp", disable=not progress, file=sys.stderr):
        entry = catalog.get(path.name)
        out.append(parse_file(path, doc_id=(entry or {}).get("id"), catalog_entry=entry))
    return out


def mark_duplicates(parsed: list[ParsedDocument]) -> dict[str, str]:
    """Near-duplicate copies keep their text but lose their chunks; their metadata fills
    the gaps of the clean copy. Returns {duplicate id: primary id}."""
    from index.dedup import find_duplicates, merge_metadata

    by_id = {p.document.id: p for p in parsed}
    dups = find_duplicates(parsed)
    for dup_id, prim_id in dups.items():
        dup, prim = by_id[dup_id], by_id[prim_id]
        dup.document.duplicate_of = prim_id
        dup.chunks = []
        prim.document = merge_metadata(prim.document, dup.document)
    return dups


def embed_records(parsed: list[ParsedDocument], embedder, progress: bool = True) -> list[DocRecord]:
    """Vectors and BM25 tokens for every chunk (one batched embedding pass)."""
    texts = [c.retrieval_text for p in parsed for c in p.chunks]
    vecs = embedder.encode_passages(texts, show_progress=progress) if texts else np.zeros((0, embedder.dim), np.float32)
    records, i = [], 0
    for p in parsed:
        n = len(p.chunks)
        word, fold = tokens_for(p)
        records.append(DocRecord(p, vecs[i:i + n], word, fold))
        i += n
    return records


def build_index(home: Path, corpus_dir: Path, embedder, progress: bool = True, faiss_kind: str = "flat",
                files: list[Path] | None = None) -> dict:
    """Full rebuild from ``corpus_dir`` (or just ``files`` in it); repairs a missing or corrupt index."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise NotFound(f"Không thấy thư mục kho văn bản / corpus folder not found: {corpus_dir}")
    with write_lock(home):
        parsed = parse_corpus(corpus_dir, progress, files)
        dups = mark_duplicates(parsed)
        records = embed_records(parsed, embedder, progress)
        gen = write_generation(home, None, set(), records, {}, model_info(embedder), faiss_kind)
    return {"generation": gen.name, "documents": len(parsed) - len(dups), "duplicates": dups,
            "chunks": sum(len(p.chunks) for p in parsed), "tasks": sum(len(p.tasks) for p in parsed),
            "indicators": sum(len(p.indicators) for p in parsed)}


def ingest_files(home: Path, paths: list[Path], embedder, names: list[str] | None = None,
                 dry_run: bool = False) -> list[IngestResult]:
    """Add or replace documents incrementally. ``names`` overrides the file names used for
    doc ids (uploads arrive under temporary names). The live generation's file hashes are
    checked first: a write never builds on silently corrupted files."""
    from index.parse import doc_id_for, parse_file

    parsed = []
    for i, path in enumerate(paths):
        name = names[i] if names else Path(path).name
        if Path(name).suffix.lower() not in SUPPORTED:
            raise UnsupportedFile(f"Định dạng không hỗ trợ / unsupported file type: {name}. "
                                  f"Hỗ trợ / supported: {', '.join(SUPPORTED)}")
        try:
            p = parse_file(Path(path), doc_id=doc_id_for(Path(name)))
        except PlanQAError as exc:       # name the file the user sent, not its temporary copy
            if Path(path).name != name:
                exc.message = exc.message.replace(Path(path).name, name)
                exc.args = (exc.message,)
            raise
        p.document.source_file = name
        parsed.append(p)
    if dry_run:
        return [IngestResult(p.document.id, "dry-run", p, warnings=p.warnings) for p in parsed]
    with write_lock(home):
        prev = current_generation(home)
        snap = StoredDocuments(prev, deep_verify=True) if prev else None
        results, records, meta_updates = _classify(snap, parsed)
        changed = [r for r in results if r.status in ("added", "replaced", "duplicate")]
        if changed:
            write_generation(home, prev, set(), embed_records(records, embedder, progress=False),
                             meta_updates, model_info(embedder))
    return results


def _classify(snap: StoredDocuments | None, parsed: list[ParsedDocument]):
    """Sort new parses into unchanged / duplicate / added / replaced against the live index."""
    from index.dedup import DUPLICATE_THRESHOLD, SIGNATURE_KEY, merge_metadata, signature, similarities
    from index.models import Document

    existing = snap.documents if snap else {}
    by_sha = {m.get("sha256"): k for k, m in existing.items()}
    # the primaries' signatures as stored at write time (computed here only for documents of
    # a generation written before signatures were stored)
    keys = [k for k, m in existing.items() if not m.get("duplicate_of")]
    stored = snap.signatures(SIGNATURE_KEY) if snap else {}
    sigs = np.stack([stored[k] if k in stored else signature(snap.document_text(k)).hashvalues for k in keys]) \
        if keys else None
    results, records, meta_updates = [], [], {}
    for p in parsed:
        d = p.document
        if d.sha256 in by_sha:
            results.append(IngestResult(by_sha[d.sha256], "unchanged", p, warnings=p.warnings))
            continue
        sim = similarities(signature(p.text), sigs) if keys else []
        match = max(((float(v), k) for v, k in zip(sim, keys) if k != d.id), default=(0.0, None))
        if match[1] is not None and match[0] >= DUPLICATE_THRESHOLD:
            prim = Document(**existing[match[1]])
            merged = merge_metadata(prim, d)
            meta_updates[match[1]] = {"field_spans": merged.field_spans, "field_origin": merged.field_origin,
                                      **{f: getattr(merged, f) for f in merged.field_origin}}
            d.duplicate_of = match[1]
            p.chunks = []
            results.append(IngestResult(d.id, "duplicate", p, duplicate_of=match[1], warnings=p.warnings))
        else:
            results.append(IngestResult(d.id, "replaced" if d.id in existing else "added", p, warnings=p.warnings))
        records.append(p)
    return results, records, meta_updates


def remove_document(home: Path, doc_id: str, embedder_model: dict | None = None) -> list[str]:
    """Remove a document (and copies marked as its duplicates); returns removed ids."""
    with write_lock(home):
        prev = current_generation(home)
        snap = StoredDocuments(prev, deep_verify=True) if prev else None
        if snap is None or doc_id not in snap.documents:
            raise NotFound(f"Không có tài liệu / no document with id {doc_id!r}")
        removed = {doc_id} | {k for k, m in snap.documents.items() if m.get("duplicate_of") == doc_id}
        write_generation(home, prev, removed, [], {}, snap.manifest["model"], snap.manifest.get("faiss_index", "flat"))
    return sorted(removed)


__all__ = ["build_index", "ingest_files", "remove_document", "PlanQAError", "prune_generations"]
