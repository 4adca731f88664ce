"""Incremental writes reuse what the previous generation stored (BM25 postings, MinHash
signatures, vectors) and give the same index a full rebuild would; the read side's
per-snapshot shortcuts (filter codes, masked dense scores, alias table) give the same
results as the straightforward computations they replace."""
from __future__ import annotations

import json
import sqlite3

import bm25s
import numpy as np
import pytest

from index.build import ingest_files, remove_document
from index.postings import Postings
from index.reader import open_index
from index.store import current_generation
from tests.conftest import CORPUS
from tests.test_index_store import SMALL_PLAN


def _stored_tokens(snap) -> tuple[list[list[str]], list[list[str]]]:
    con = sqlite3.connect(snap.files.sqlite)
    rows = con.execute("SELECT word_tokens, fold_tokens FROM chunks ORDER BY row").fetchall()
    con.close()
    return [json.loads(r[0]) for r in rows], [json.loads(r[1]) for r in rows]


def _same_bm25(stored: bm25s.BM25, tokens: list[list[str]]) -> None:
    """The stored bm25s index scores exactly like bm25s itself indexing ``tokens``."""
    ref = bm25s.BM25(k1=1.2, b=0.75)
    ref.index([t or [""] for t in tokens], show_progress=False)
    assert set(stored.vocab_dict) == set(ref.vocab_dict)
    assert stored.scores["num_docs"] == ref.scores["num_docs"]
    for tok, i in ref.vocab_dict.items():
        j = stored.vocab_dict[tok]
        if i >= len(ref.scores["indptr"]) - 1:                    # bm25s's dangling "" token
            assert j >= len(stored.scores["indptr"]) - 1
            continue
        a = slice(ref.scores["indptr"][i], ref.scores["indptr"][i + 1])
        b = slice(stored.scores["indptr"][j], stored.scores["indptr"][j + 1])
        assert np.array_equal(ref.scores["indices"][a], stored.scores["indices"][b]), tok
        assert np.array_equal(ref.scores["data"][a], stored.scores["data"][b]), tok


def _check_generation(snap) -> None:
    word, fold = _stored_tokens(snap)
    _same_bm25(snap.bm25_word, word)
    _same_bm25(snap.bm25_fold, fold)
    df: dict[str, int] = {}
    for toks in fold:
        for t in set(toks or [""]):
            df[t] = df.get(t, 0) + 1
    assert snap.fold_df == df and snap.n_chunks_df == max(len(fold), 1)
    assert snap.vocab == {t for toks in word for t in toks if "_" in t}


def test_postings_match_bm25s_with_empty_documents():
    docs = [["a", "b", "a"], [], ["b", "c"], ["c", "c", "c", "d"], [""], ["a"]]
    p = Postings.from_tokens(docs)
    ref = bm25s.BM25(k1=1.2, b=0.75)
    ref.index([d or [""] for d in docs], show_progress=False)
    col = {t: i for i, t in enumerate(p.vocab)}
    w = p.weights()
    indptr = p.indptr()
    for tok, i in ref.vocab_dict.items():
        if tok not in col:
            continue
        j = col[tok]
        a = slice(ref.scores["indptr"][i], ref.scores["indptr"][i + 1])
        assert np.array_equal(ref.scores["data"][a], w[indptr[j]:indptr[j + 1]])
    # dropping rows then adding some is the same as building from the final token lists
    keep = np.array([True, False, True, True, False, True])
    inc = p.keep_rows(keep).extend([["d", "e"], []]).compact()
    full = Postings.from_tokens([d for d, k in zip(docs, keep) if k] + [["d", "e"], []])
    assert sorted(inc.vocab) == sorted(full.vocab)
    order = {t: i for i, t in enumerate(full.vocab)}
    remap = np.array([order[t] for t in inc.vocab])
    got = sorted(zip(remap[inc.terms].tolist(), inc.rows.tolist(), inc.tf.tolist()))
    assert got == sorted(zip(full.terms.tolist(), full.rows.tolist(), full.tf.tolist()))


def test_add_replace_remove_equal_a_full_rebuild(fresh_home, fresh_engine, tmp_path):
    """Each incremental write stores the BM25 indexes, df and vocab a rebuild from every
    chunk's tokens gives. Replacing the plan added last works (its rows were the highest)."""
    _check_generation(open_index(fresh_home))
    plan = tmp_path / "ke-hoach-vuon-uom.txt"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    assert ingest_files(fresh_home, [plan], fresh_engine.embedder)[0].status == "added"
    added = open_index(fresh_home)
    _check_generation(added)
    assert (current_generation(fresh_home) / "bm25_fold" / "tf.npy").is_file()
    plan.write_text(SMALL_PLAN.replace("bưởi đỏ", "cam sành"), encoding="utf-8")
    assert ingest_files(fresh_home, [plan], fresh_engine.embedder)[0].status == "replaced"
    replaced = open_index(fresh_home)
    _check_generation(replaced)
    assert len(replaced.chunks) == len(added.chunks)
    ans = fresh_engine.ask("Ai chủ trì xây dựng vườn ươm cây giống cam sành?")
    assert not ans.abstained and ans.citations[0].doc_id == "ke-hoach-vuon-uom"
    # removing a plan from the middle renumbers the rows after it
    victim = next(d for d in replaced.primary_documents() if d != "ke-hoach-vuon-uom")
    remove_document(fresh_home, victim)
    after = open_index(fresh_home, deep_verify=True)
    _check_generation(after)
    assert victim not in after.documents and victim not in after.chunk_counts
    vec = np.load(after.files.vectors)
    before_vec = np.load(replaced.files.vectors)
    kept = [i for i, d in enumerate(replaced.chunks.doc_ids) if d != victim]
    assert np.array_equal(vec, before_vec[kept])
    assert after.chunks.ids == [replaced.chunks.ids[i] for i in kept]


def test_signatures_are_stored_and_reused(fresh_home, fresh_engine, tmp_path, monkeypatch):
    """Duplicate detection reads the stored signatures: an upload computes one signature (its
    own), not one per stored plan, and still finds the duplicate."""
    from index import dedup

    snap = open_index(fresh_home)
    con = sqlite3.connect(snap.files.sqlite)
    stored = dict(con.execute("SELECT doc_id, key FROM signatures").fetchall())
    con.close()
    assert set(stored) == set(snap.documents) and set(stored.values()) == {dedup.SIGNATURE_KEY}
    calls = []
    real = dedup.signature
    monkeypatch.setattr(dedup, "signature", lambda text: calls.append(len(text)) or real(text))
    src = next(p for p in CORPUS.glob("*.txt") if "xa-nghia-dan" in p.name)
    copy = tmp_path / "ban-sao-2.txt"
    copy.write_text(src.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    res = ingest_files(fresh_home, [copy], fresh_engine.embedder)
    assert res[0].status == "duplicate" and res[0].duplicate_of
    assert len(calls) == 2          # the upload in _classify, then once more when it is stored


def test_old_generation_without_postings_or_signatures(fresh_home, fresh_engine, tmp_path):
    """A generation written before postings and signatures were stored is upgraded by the
    next write (tokens read back from the store, signatures computed once)."""
    gen = current_generation(fresh_home)
    for field in ("bm25_word", "bm25_fold"):
        (gen / field / "tf.npy").unlink()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.endswith("tf.npy")}
    (gen / "manifest.json").write_text(json.dumps(manifest))
    con = sqlite3.connect(gen / "store.sqlite")
    con.execute("DROP TABLE signatures")
    con.commit()
    con.close()
    from index.store import sha256_file
    manifest["files"]["store.sqlite"] = sha256_file(gen / "store.sqlite")
    (gen / "manifest.json").write_text(json.dumps(manifest))
    plan = tmp_path / "ke-hoach-vuon-uom.txt"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    assert ingest_files(fresh_home, [plan], fresh_engine.embedder)[0].status == "added"
    snap = open_index(fresh_home, deep_verify=True)
    _check_generation(snap)
    con = sqlite3.connect(snap.files.sqlite)
    assert {r[0] for r in con.execute("SELECT doc_id FROM signatures")} == set(snap.documents)
    con.close()


def test_filter_mask_and_masked_dense_scores(engine):
    """Integer-coded filters equal the np.isin masks; masked dense scores equal what a FAISS
    search over every chunk returns for the allowed rows."""
    from rag.retrieve import dense_scores, filter_mask

    snap = engine.snapshot()
    docs = list(snap.primary_documents())
    for filters in ({"doc_id": docs[0]}, {"doc_ids": docs[:2]}, {"doc_id": "khong-co"}, {"kind": "task"},
                    {"doc_ids": docs[1:], "kind": ["task", "indicator"]}, {"year": "2025"}, {"issuer": "ubnd"}):
        want = np.ones(len(snap.chunks), dtype=bool)
        ids = filters.get("doc_id") or filters.get("doc_ids")
        if ids:
            want &= np.isin(snap.doc_of_row, [ids] if isinstance(ids, str) else ids)
        if "kind" in filters:
            kinds = [filters["kind"]] if isinstance(filters["kind"], str) else filters["kind"]
            want &= np.isin(np.array(snap.chunks.kinds, dtype=object), kinds)
        got = filter_mask(snap, filters)
        if "year" in filters or "issuer" in filters:
            assert got.dtype == bool and got.shape == want.shape
            continue
        assert np.array_equal(got, want), filters
    qvec = engine.embedder.encode_queries(["Ai chủ trì chuyển đổi số?"])[0]
    n = len(snap.chunks)
    d, i = snap.faiss.search(qvec.reshape(1, -1).astype(np.float32), n)
    full = np.full(n, -np.inf, dtype=np.float32)
    full[i[0]] = d[0]
    mask = filter_mask(snap, {"doc_ids": docs[:2]})
    got = dense_scores(snap, qvec, 100, mask)
    assert np.array_equal(got[mask], full[mask]) and np.all(np.isneginf(got[~mask]))
    top = dense_scores(snap, qvec, 100)
    assert np.array_equal(np.sort(top[np.isfinite(top)])[::-1], np.sort(full)[::-1][:min(100, n)])


@pytest.mark.parametrize("question", ["Kế hoạch của UBND xã Nghĩa Đàn năm 2025 giao ai chủ trì?",
                                      "Ke hoach so 12 cua UBND tinh ve chuyen doi so",
                                      "Ai phối hợp thực hiện?"])
def test_scope_alias_table_is_reused(engine, question):
    from rag.query import DocumentNames, analyse, detect_scope, document_names
    from index import text as vt

    snap = engine.snapshot()
    folded = vt.fold(question)
    names = document_names(snap)
    assert document_names(snap) is names            # built once, kept with the generation
    first = detect_scope(folded, snap.documents, names)
    # the same answer as matching every document's aliases from scratch
    assert detect_scope(folded, dict(snap.documents), DocumentNames.of(dict(snap.documents))) == first
    assert analyse(question, snap.documents).scope == first


def test_hnsw_index_takes_new_vectors_without_rebuild(fresh_home, fresh_engine, tmp_path, monkeypatch):
    """An upload to an hnsw index keeps hnsw (it used to turn it into flat) and adds the new
    vectors to the previous graph when nothing was removed."""
    import faiss

    from index import writer
    from index.writer import write_generation

    snap = open_index(fresh_home)
    write_generation(fresh_home, current_generation(fresh_home), set(), [], {}, snap.manifest["model"], "hnsw")
    bases = []
    real_base = writer._hnsw_base
    monkeypatch.setattr(writer, "_hnsw_base", lambda *a: bases.append(real_base(*a)) or bases[-1])
    plan = tmp_path / "ke-hoach-vuon-uom.txt"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    assert ingest_files(fresh_home, [plan], fresh_engine.embedder)[0].status == "added"
    after = open_index(fresh_home, deep_verify=True)
    assert after.manifest["faiss_index"] == "hnsw" and isinstance(after.faiss, faiss.IndexHNSWFlat)
    assert len(bases) == 1 and bases[0] is not None    # the previous graph was extended
    assert after.faiss.ntotal == len(after.chunks) == len(snap.chunks) + after.chunk_counts["ke-hoach-vuon-uom"]
    vec = np.load(after.files.vectors)
    row = after.chunks.doc_ids.index("ke-hoach-vuon-uom")
    _, ids = after.faiss.search(vec[row:row + 1], 1)
    assert ids[0][0] == row
    ans = fresh_engine.ask("Ai chủ trì xây dựng vườn ươm cây giống bưởi đỏ?")
    assert not ans.abstained and ans.citations[0].doc_id == "ke-hoach-vuon-uom"
