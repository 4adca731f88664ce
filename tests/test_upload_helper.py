"""Uploads in the server run in a helper process (api/upload_helper.py). Here the helper is
forced (in this test process the heavy modules are already loaded, which would make it
run in-process) and driven for real: a spawned process parses, embeds and writes the new
generation; PlanQA errors come back with their class, status, message and detail."""
from __future__ import annotations

import os

import pytest

from api import upload_helper
from index.errors import EmptyDocument, UnsupportedFile
from index.reader import open_index

PLAN = ("KẾ HOẠCH\nVề phát triển vườn ươm cây giống trên địa bàn xã Thử Nghiệm\n\nI. TỔ CHỨC THỰC HIỆN\n"
        "1. Phòng Kinh tế chủ trì xây dựng vườn ươm cây giống bưởi đỏ, hoàn thành trong Quý III/2026.\n")


def test_upload_runs_in_a_helper_process_and_errors_come_back(fresh_home, model_home, tmp_path, monkeypatch):
    (fresh_home / "models").symlink_to(model_home / "models", target_is_directory=True)
    monkeypatch.setattr(upload_helper, "HEAVY", ("planqa_module_that_is_never_loaded",))
    helper = upload_helper.UploadHelper(fresh_home, embedder_of=lambda: pytest.fail("ran in-process"))
    try:
        tmp = tmp_path / "tmp-upload-1a2b.txt"
        tmp.write_text(PLAN, encoding="utf-8")
        before = open_index(fresh_home).name
        out = helper.ingest(tmp, "vuon-uom-buoi-do.txt")
        assert [r["status"] for r in out] == ["added"], out
        snap = open_index(fresh_home, deep_verify=True)
        assert snap.name != before and "vuon-uom-buoi-do" in snap.documents
        pids = {p.pid for p in helper._pool._processes.values()}
        assert pids and os.getpid() not in pids                 # a separate process did the work

        bad = tmp_path / "tmp-upload-3c4d.txt"
        bad.write_text("   \n", encoding="utf-8")
        with pytest.raises(EmptyDocument) as err:
            helper.ingest(bad, "trong.txt")
        assert err.value.status == 422 and "trong.txt" in err.value.message and "tmp-upload" not in err.value.message
        with pytest.raises(UnsupportedFile):
            helper.ingest(bad, "setup.exe")
        assert open_index(fresh_home).name == snap.name        # refused uploads leave the index alone
        assert {p.pid for p in helper._pool._processes.values()} == pids   # one helper, kept warm
    finally:
        helper.close()
