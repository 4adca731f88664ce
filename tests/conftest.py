"""Shared pytest fixtures.

The embedding model is converted once per test session (about 5 s). Set
``PLANQA_TEST_CACHE`` to a persistent directory to reuse the conversion across runs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.embedding import load_embedder, prepare_model


@pytest.fixture(scope="session")
def model_home(tmp_path_factory) -> Path:
    """A PlanQA home whose ``models/`` holds the converted embedding model."""
    cache = os.environ.get("PLANQA_TEST_CACHE")
    home = Path(cache) if cache else tmp_path_factory.mktemp("planqa-model-home")
    prepare_model(home, quiet=True)
    return home


@pytest.fixture(scope="session")
def embedder(model_home):
    """The loaded embedder (shared by the whole session: loading takes a few seconds)."""
    return load_embedder(model_home)


ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def built_home(tmp_path_factory, embedder) -> Path:
    """A PlanQA home with the index built over corpus/ once per session (read-only for tests)."""
    from index.build import build_index

    home = tmp_path_factory.mktemp("planqa-home")
    build_index(home, CORPUS, embedder, progress=False)
    return home


@pytest.fixture(scope="session")
def engine(built_home, embedder):
    from rag.engine import Engine

    return Engine(built_home, embedder=embedder)


@pytest.fixture()
def fresh_home(built_home, tmp_path) -> Path:
    """A private copy of the built home, for tests that change the index."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    return home


@pytest.fixture()
def fresh_engine(fresh_home, embedder):
    from rag.engine import Engine

    return Engine(fresh_home, embedder=embedder)
