"""Generalization check: plans nobody tuned on (../shared/data/govdocs), own questions.

The documents are read from the shared folder at evaluation time (never copied into the
repository) and indexed into a cache home; the questions in ``eval/gold/govdocs.jsonl``
were written by reading those documents.
"""
from __future__ import annotations

import json
from pathlib import Path

from eval.gold_eval import GOLD_DIR, load_gold, run_gold


def build_govdocs_home(data_dir: Path, home: Path, embedder) -> Path:
    """Index the numbered documents of ``data_dir`` into ``home`` (rebuilt when files change)."""
    from index.build import build_index
    from index.store import current_generation, sha256_file

    files = sorted(p for p in Path(data_dir).glob("*.md") if p.name[:1].isdigit())
    if not files:
        raise FileNotFoundError(f"no govdocs documents in {data_dir}")
    stamp = {p.name: sha256_file(p) for p in files}
    stamp_file = Path(home) / "govdocs-stamp.json"
    if current_generation(home) is None or not stamp_file.exists() or json.loads(stamp_file.read_text()) != stamp:
        build_index(home, Path(data_dir), embedder, files=files)
        stamp_file.write_text(json.dumps(stamp))
    return home


def run_govdocs(data_dir: Path, engine_factory, home: Path, systems=("hybrid", "full"), split: str = "test") -> dict:
    """Score the govdocs questions of ``split`` (test = written blind, never tuned on; dev =
    the first 24, looked at while fixing failures; all); returns {system: SystemResult}."""
    engine = engine_factory(home)
    build_govdocs_home(data_dir, home, engine.embedder)
    return run_gold(engine, list(systems), load_gold(GOLD_DIR / "govdocs.jsonl", split))
