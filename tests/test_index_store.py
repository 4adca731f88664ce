"""The stored index: build, open, incremental add/replace/remove, refusal, crash safety."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.build import ingest_files, remove_document
from index.errors import IndexMismatch, IndexMissing, NotFound
from index.reader import open_index
from index.store import current_generation, index_root
from tests.conftest import CORPUS, ROOT

SMALL_PLAN = """UBND XÃ THỬ NGHIỆM
Số: 12/KH-UBND                         Thử Nghiệm, ngày 05 tháng 3 năm 2026
KẾ HOẠCH
Về phát triển vườn ươm cây giống trên địa bàn xã

I. MỤC TIÊU
1. Mục tiêu chung
- Xây dựng vườn ươm cây giống bưởi đỏ đạt chuẩn trước năm 2027.
II. TỔ CHỨC THỰC HIỆN
1. Phòng Kinh tế chủ trì xây dựng vườn ươm cây giống bưởi đỏ, hoàn thành trong Quý III/2026.
2. Hợp tác xã Nông nghiệp phối hợp cung cấp giống.
"""


def model_of(engine) -> dict:
    return engine.model_info()


def test_build_counts_and_manifest(built_home, engine):
    snap = open_index(built_home, model_of(engine), deep_verify=True)
    m = snap.manifest
    assert m["counts"]["chunks"] == len(snap.chunks) == snap.faiss.ntotal > 0
    assert m["counts"]["duplicates"] == 1                      # the OCR copy
    assert m["model"]["name"] == engine.embedder.name
    assert m["normalizer_version"]
    primaries = snap.primary_documents()
    assert len(primaries) == len(list(CORPUS.glob("*.txt"))) - 1
    for i, (s, e) in enumerate(zip(snap.chunks.starts, snap.chunks.ends)):
        assert snap.document_text(snap.chunks.doc_ids[i])[s:e] == snap.chunks.texts[i]
        if i > 40:
            break


def test_incremental_add_keeps_other_vectors(fresh_home, fresh_engine, tmp_path):
    before = open_index(fresh_home)
    vec_before = np.load(before.files.vectors)
    plan = tmp_path / "ke-hoach-vuon-uom.txt"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    res = ingest_files(fresh_home, [plan], fresh_engine.embedder)
    assert [r.status for r in res] == ["added"]
    after = open_index(fresh_home)
    assert after.name != before.name
    n_old = len(before.chunks)
    vec_after = np.load(after.files.vectors)
    assert np.array_equal(vec_after[:n_old], vec_before)          # nothing re-embedded
    assert "ke-hoach-vuon-uom" in after.documents
    ans = fresh_engine.ask("Ai chủ trì xây dựng vườn ươm cây giống bưởi đỏ?")
    assert not ans.abstained and "Phòng Kinh tế" in ans.answer
    assert ans.citations[0].doc_id == "ke-hoach-vuon-uom"
    # re-ingesting the same bytes is a no-op
    again = ingest_files(fresh_home, [plan], fresh_engine.embedder)
    assert again[0].status == "unchanged"
    assert open_index(fresh_home).name == after.name
    # removal brings the old content back exactly
    assert remove_document(fresh_home, "ke-hoach-vuon-uom") == ["ke-hoach-vuon-uom"]
    final = open_index(fresh_home)
    assert final.chunks.ids == before.chunks.ids
    assert np.array_equal(np.load(final.files.vectors), vec_before)
    with pytest.raises(NotFound):
        remove_document(fresh_home, "ke-hoach-vuon-uom")


def test_duplicate_upload_is_not_indexed_twice(fresh_home, fresh_engine, tmp_path):
    src = next(p for p in CORPUS.glob("*.txt") if "xa-nghia-dan" in p.name)
    copy = tmp_path / "ban-sao.txt"
    copy.write_text(src.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = ingest_files(fresh_home, [copy], fresh_engine.embedder)
    assert res[0].status == "duplicate" and res[0].duplicate_of
    snap = open_index(fresh_home)
    assert snap.chunk_counts.get("ban-sao", 0) == 0


def test_mismatched_model_is_refused(built_home, engine):
    other = {**model_of(engine), "fingerprint": "some-other-model"}
    with pytest.raises(IndexMismatch, match="planqa index build"):
        open_index(built_home, other)


def test_index_of_another_text_normalizer_is_refused_for_reads_and_writes(fresh_home, embedder, tmp_path):
    import json

    from index.build import ingest_files

    gen = current_generation(fresh_home)
    manifest = json.loads((gen / "manifest.json").read_text())
    (gen / "manifest.json").write_text(json.dumps({**manifest, "normalizer_version": "0"}))
    with pytest.raises(IndexMismatch, match="planqa index build"):
        open_index(fresh_home)
    plan = tmp_path / "vuon-uom.txt"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    with pytest.raises(IndexMismatch):          # tokens of two normalizers never mix in one index
        ingest_files(fresh_home, [plan], embedder)
    assert current_generation(fresh_home) == gen


def test_missing_file_gives_clear_error_and_build_repairs(fresh_home, embedder, tmp_path):
    gen = current_generation(fresh_home)
    (gen / "dense.faiss").unlink()
    with pytest.raises(IndexMissing, match="index build"):
        open_index(fresh_home)
    small = tmp_path / "corpus"
    small.mkdir()
    (small / "vuon-uom.txt").write_text(SMALL_PLAN, encoding="utf-8")   # a small corpus keeps the test fast
    from index.build import build_index
    build_index(fresh_home, small, embedder, progress=False)
    snap = open_index(fresh_home, deep_verify=True)
    assert snap.faiss.ntotal == len(snap.chunks) > 0 and list(snap.documents) == ["vuon-uom"]


def test_no_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissing, match="planqa index build"):
        open_index(tmp_path)


@pytest.mark.parametrize("delay", [1.5, 4.0, 8.0])
def test_kill_during_build_keeps_previous_index(fresh_home, model_home, delay):
    """kill -9 a real `planqa index build` subprocess; the previous generation stays live."""
    before = current_generation(fresh_home).name
    (fresh_home / "models").symlink_to(Path(model_home) / "models")
    env = {**os.environ, "PLANQA_HOME": str(fresh_home)}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "index", "build", "--corpus", str(CORPUS)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gen = current_generation(fresh_home)
    snap = open_index(fresh_home, deep_verify=True)            # loads, hashes match
    assert gen.name == before or gen.name > before
    assert len(snap.primary_documents()) >= 4
    assert json.loads((gen / "manifest.json").read_text())["counts"]["chunks"] == len(snap.chunks)
    leftovers = [p for p in index_root(fresh_home).glob("gen-*") if p != gen]
    assert all(p.is_dir() for p in leftovers)
