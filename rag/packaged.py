"""Data files shipped inside installed packages, found without importing the package
(importing underthesea takes seconds; its word list and gazetteer are plain files)."""
from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path


def underthesea_data(*parts: str) -> Path:
    """A file of the installed underthesea package, e.g. ``("corpus", "data", "Viet74K.txt")``."""
    spec = find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("underthesea is not installed (pip install -e .)")
    return Path(list(spec.submodule_search_locations)[0], *parts)
