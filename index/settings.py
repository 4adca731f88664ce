"""Every setting in one declared table: name, default, environment variable, help.

The CLI (`planqa info --json`), the API, the README table and a test that checks the
README documents every setting all read from :data:`SETTINGS`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str

    def value(self) -> Any:
        raw = os.environ.get(self.env)
        if raw is None or raw == "":
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, float):
            return float(raw)
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "./var", "PLANQA_HOME", "Data folder: index generations, models, feedback (never in git)."),
    Setting("corpus", "./corpus", "PLANQA_CORPUS", "Folder of plans that `planqa index build` indexes."),
    Setting("admin_key", "", "PLANQA_ADMIN_KEY", "API key for write endpoints (header X-API-Key). Empty = writes refused."),
    Setting("cors_origins", "", "PLANQA_CORS_ORIGINS", "Comma-separated origins allowed to call the API (the portal)."),
    Setting("max_upload_mb", 20, "PLANQA_MAX_UPLOAD_MB", "Largest accepted upload, in MB."),
    Setting("max_question_chars", 1000, "PLANQA_MAX_QUESTION_CHARS", "Longest accepted question, in characters."),
    Setting("model_dir", "", "PLANQA_MODEL_DIR", "Another sentence-transformers model folder (with planqa-model.json) instead of e5-small."),
    Setting("faiss_index", "flat", "PLANQA_FAISS_INDEX", "Dense index type: flat (exact) | hnsw (large corpora)."),
    Setting("weight_bm25", 1.0, "PLANQA_WEIGHT_BM25", "Fusion weight of BM25 (accented + folded fields) in hybrid retrieval."),
    Setting("weight_dense", 1.0, "PLANQA_WEIGHT_DENSE", "Fusion weight of dense e5 retrieval in hybrid retrieval."),
    Setting("rrf_k", 60, "PLANQA_RRF_K", "Reciprocal-rank-fusion constant k (only used when the fusion is rrf)."),
    Setting("llm_url", "", "PLANQA_LLM_URL", "Optional OpenAI-compatible endpoint used only to rephrase cited answers."),
    Setting("llm_model", "", "PLANQA_LLM_MODEL", "Model name for the optional LLM endpoint."),
    Setting("llm_api_key", "", "PLANQA_LLM_API_KEY", "API key for the optional LLM endpoint."),
    Setting("query_encoder", "numpy", "PLANQA_QUERY_ENCODER", "Question encoder: numpy (fast, no torch import) or sentence-transformers."),
    Setting("threads", 0, "PLANQA_THREADS", "Torch threads for embedding (0 = all cores)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Any:
    """Current value of a setting (environment first, then the declared default)."""
    try:
        return _BY_NAME[name].value()
    except KeyError:
        raise KeyError(f"Unknown setting {name!r}. Valid settings: {', '.join(_BY_NAME)}") from None


def home() -> Path:
    return Path(setting("home")).expanduser().resolve()


def public_settings() -> dict[str, Any]:
    """Settings safe to show (`planqa info`): secrets are reported as set/unset only."""
    out = {}
    for s in SETTINGS:
        v = s.value()
        out[s.name] = ("(set)" if v else "(unset)") if "key" in s.name else v
    return out
