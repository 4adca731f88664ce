"""A numpy forward pass of the sentence-transformers folder: the fast query encoder.

The folder ``prepare_model`` writes is an ordinary sentence-transformers model made of
three modules (``modules.json``): a BERT ``Transformer`` → mean ``Pooling`` → ``Normalize``.
This module runs exactly those three steps with numpy on the same ``model.safetensors``
and ``tokenizer.json``. Why it exists (measured, eval/reports/bench.md): importing
``sentence_transformers`` costs 4-10 s and torch another 2 s, which alone breaks the 4 s
budget of a cold ``planqa search``, and a one-question forward pass in torch costs ~38 ms.
Here a question is encoded in a few ms and nothing heavier than numpy and ``tokenizers``
is imported. Passages (index builds) still go through sentence-transformers;
``tests/test_embedding.py`` checks both give the same vectors (cosine ≥ 0.9999).

Only what the folder describes is supported: a BERT encoder with absolute positions,
GELU, mean pooling and normalization. :func:`supports` says whether a folder fits, so a
swapped-in model of another architecture simply keeps using sentence-transformers.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

_POOLING_OK = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
               "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False}
_MODULES_OK = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
               "sentence_transformers.models.Normalize"]


def supports(folder: Path) -> bool:
    """True when ``folder`` is BERT → mean pooling → normalize, the case this module runs."""
    try:
        modules = [m["type"] for m in json.loads((folder / "modules.json").read_text("utf-8"))]
        config = json.loads((folder / "config.json").read_text("utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (modules == _MODULES_OK and config.get("model_type") == "bert"
            and config.get("hidden_act", "gelu") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and all(pooling.get(k, v) == v for k, v in _POOLING_OK.items())
            and (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file())


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and scipy would add
    # an import to the cold start for one function.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


_DTYPES = {"F16": np.float16, "F32": np.float32, "BF16": None}


def _memmap_tensor(path: Path, name: str) -> np.ndarray:
    """One tensor of a .safetensors file as a read-only memory map (format: u64 header
    length, JSON header with dtype/shape/data_offsets, then the raw little-endian data)."""
    import struct

    with open(path, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        meta = json.loads(fh.read(n))[name]
    dtype = _DTYPES.get(meta["dtype"])
    if dtype is None:
        raise ValueError(f"{path}: {name} has unsupported dtype {meta['dtype']}")
    start, _ = meta["data_offsets"]
    return np.memmap(path, dtype=np.dtype(dtype).newbyteorder("<"), mode="r",
                     offset=8 + n + start, shape=tuple(meta["shape"]))


def _one_blas_thread() -> None:
    """Run numpy's own BLAS (OpenBLAS) on one thread in this process.

    A question is a handful of (tokens × 384) matmuls: too small to split, so a second thread
    only adds spin-waiting, and when other work shares the CPU it is catastrophic (measured
    at load 6-8 on 2 cores: 1.0-1.5 s per question with 2 threads vs 0.17-0.18 s with 1).
    Only numpy's library is limited: torch (passages, index builds) has its own threads. The
    vectors differ from the 2-thread ones by < 1e-7 (another summation split)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:          # optional: without it numpy keeps its default thread count
        return
    for lib in ThreadpoolController().lib_controllers:
        if lib.user_api == "blas" and "numpy" in str(lib.filepath):
            lib.set_num_threads(1)


class NumpyEncoder:
    """``encode(texts) -> (n, dim)`` float32 unit rows, same as the folder's SentenceTransformer."""

    def __init__(self, folder: Path):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        _one_blas_thread()
        folder = Path(folder)
        cfg = json.loads((folder / "config.json").read_text("utf-8"))
        st_cfg_path = folder / "sentence_bert_config.json"
        st_cfg = json.loads(st_cfg_path.read_text("utf-8")) if st_cfg_path.exists() else {}
        self.max_len = int(min(st_cfg.get("max_seq_length", 512), cfg.get("max_position_embeddings", 512)))
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_len)
        self.tokenizer.no_padding()
        with safe_open(str(folder / "model.safetensors"), "np") as f:
            names = set(f.keys())
            prefix = "bert." if "bert.embeddings.word_embeddings.weight" in names else ""

            def get(name: str) -> np.ndarray:
                return np.ascontiguousarray(f.get_tensor(prefix + name), dtype=np.float32)

            # The 250k-row vocabulary table (~190 MB) is memory-mapped as stored (float16
            # or float32): a question touches a few rows, converted when looked up.
            self.word = _memmap_tensor(folder / "model.safetensors", prefix + "embeddings.word_embeddings.weight")
            self.pos = get("embeddings.position_embeddings.weight")
            self.type0 = get("embeddings.token_type_embeddings.weight")[0]
            self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
            self.layers = []
            for i in range(int(cfg["num_hidden_layers"])):
                p = f"encoder.layer.{i}."
                # q, k, v fused into one (hidden, 3*hidden) matrix: one matmul instead of three.
                qkv_w = np.concatenate([get(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
                qkv_b = np.concatenate([get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
                self.layers.append((
                    np.ascontiguousarray(qkv_w), qkv_b,
                    np.ascontiguousarray(get(p + "attention.output.dense.weight").T), get(p + "attention.output.dense.bias"),
                    get(p + "attention.output.LayerNorm.weight"), get(p + "attention.output.LayerNorm.bias"),
                    np.ascontiguousarray(get(p + "intermediate.dense.weight").T), get(p + "intermediate.dense.bias"),
                    np.ascontiguousarray(get(p + "output.dense.weight").T), get(p + "output.dense.bias"),
                    get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias"),
                ))
        self.dim = int(self.pos.shape[1])

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """``ids``/``mask``: (batch, seq) → mean-pooled, normalized (batch, dim)."""
        b, n = ids.shape
        h = self.word[ids].astype(np.float32) + self.pos[:n] + self.type0
        h = _layer_norm(h, *self.emb_ln, self.eps)
        d = h.shape[-1]
        hd = d // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(hd))
        for qkv_w, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, out_w, out_b, ln2_w, ln2_b in self.layers:
            qkv = h @ qkv_w + qkv_b                                   # (b, n, 3d)
            qkv = qkv.reshape(b, n, 3, self.heads, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]                          # (b, heads, n, hd)
            att = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
            h = _layer_norm(ctx @ o_w + o_b + h, ln1_w, ln1_b, self.eps)
            h = _layer_norm(_gelu(h @ i_w + i_b) @ out_w + out_b + h, ln2_w, ln2_b, self.eps)
        m = mask[..., None].astype(np.float32)
        pooled = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Texts (already prefixed) → float32 ``(n, dim)``; batches padded to their longest."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=True)
        order = sorted(range(len(encs)), key=lambda i: -len(encs[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for r, i in enumerate(idx):
                seq = encs[i].ids
                ids[r, :len(seq)] = seq
                mask[r, :len(seq)] = 1
            out[idx] = self._forward(ids, mask)
        return out
