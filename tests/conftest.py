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
