"""Curated metadata for corpus files: ``<corpus>/catalog.toml``.

Extraction reads what a text says; the catalog states what a librarian knows (a scan whose
header lost its number, a draft without a date). Each ``[[document]]`` entry names its
``file`` and any of: id, title, issuer, parent_issuer, doc_type, number, date, place, level,
signer, signer_role. Non-empty catalog values override extracted ones; files without an
entry are ingested from extraction alone.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from index.errors import PlanQAError
from index.models import Document
from index.text import compact, fold

CATALOG_FILE = "catalog.toml"
CATALOG_FIELDS = ("title", "issuer", "parent_issuer", "doc_type", "number", "date", "place",
                  "level", "signer", "signer_role")


def load_catalog(corpus_dir: Path) -> dict[str, dict]:
    """``{file name: entry}`` from ``corpus_dir/catalog.toml`` ({} when there is none)."""
    path = Path(corpus_dir) / CATALOG_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanQAError(f"Tệp danh mục {path} không đúng cú pháp TOML: {exc} / "
                          f"catalog {path} is not valid TOML: {exc}") from exc
    out: dict[str, dict] = {}
    for i, entry in enumerate(data.get("document", [])):
        if not isinstance(entry, dict) or not entry.get("file"):
            raise PlanQAError(f"Mục [[document]] thứ {i + 1} trong {path} thiếu khóa 'file' / "
                              f"[[document]] entry {i + 1} in {path} has no 'file' key")
        out[str(entry["file"])] = {k: str(v) for k, v in entry.items()}
    return out


def apply_catalog(doc: Document, entry: dict | None) -> Document:
    """A copy of ``doc`` with the entry's non-empty values. A field whose value changes loses
    its span, since the span showed the extracted value, not the catalog's."""
    if not entry:
        return doc
    out = replace(doc, field_spans=dict(doc.field_spans), field_origin=dict(doc.field_origin))
    for f in CATALOG_FIELDS:
        value = str(entry.get(f, "") or "").strip()
        if not value:
            continue
        if compact(value) != compact(getattr(out, f)):
            out.field_spans.pop(f, None)
            out.field_origin.pop(f, None)
        setattr(out, f, value)
    return out


def slugify(name: str) -> str:
    """Document id from a file stem: lower-case ASCII, diacritics folded, ``[a-z0-9-]``."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return slug[:120] or "tai-lieu"
