"""Near-duplicate plans: the same plan uploaded twice, typically a clean copy and an OCR scan.

The signature is a MinHash over shingles of 4 consecutive *syllable onsets* of the folded
text (``"chuyển đổi số"`` → ``ch d s``). Word shingles of the folded text are not enough:
OCR damages vowels and diacritics far more than initial consonants ("ciia" for "của",
"Ké hoach" for "Kế hoạch"), and measured on the seed corpus a clean/OCR pair of one plan
scored Jaccard 0.315 with word 3-shingles while two *different* plans that share the usual
boilerplate scored 0.225: no safe threshold. With onset 4-shingles the pair scores 0.58 and
the most similar different plans 0.22 (see the module tests), so :data:`DUPLICATE_THRESHOLD`
sits between them with a margin on both sides.

The copy kept as primary is the one with more diacritics (the clean one); the duplicate's
metadata fills the primary's gaps (e.g. the number and date only the scan's header kept).
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
from datasketch import MinHash, MinHashLSH

from index.models import Document, ParsedDocument
from index.text import compact, diacritic_ratio, fold

DUPLICATE_THRESHOLD = 0.45
NUM_PERM = 256
SHINGLE = 4
CLEAN_MARGIN = 0.03             # typed Vietnamese ≈ 0.30 of letters accented; an OCR copy far less
MIN_SHINGLES = 20                # shorter texts are too small to call copies of anything
MERGE_FIELDS = ("title", "doc_type", "number", "issuer", "parent_issuer", "place", "date",
                "level", "signer", "signer_role")
_SYLLABLE = re.compile(r"[a-z0-9&]+")
_ONSET = re.compile(r"[^aeiouy]*")


def _shingles(text: str) -> set[str]:
    """Onset shingles; "_" stands for a syllable that starts with a vowel, digits are dropped
    (OCR reads "ố" as "6", "l" as "1")."""
    onsets = []
    for syl in _SYLLABLE.findall(compact(fold(text))):
        syl = re.sub(r"[0-9&]", "", syl)
        if syl:
            onsets.append(_ONSET.match(syl).group(0) or "_")
    if len(onsets) < SHINGLE:
        return {" ".join(onsets)} if onsets else set()
    return {" ".join(onsets[i:i + SHINGLE]) for i in range(len(onsets) - SHINGLE + 1)}


def signature(text: str) -> MinHash:
    """MinHash signature of a document text (any form: raw or normalized)."""
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch([s.encode("utf-8", "surrogatepass") for s in _shingles(text)])
    return mh


def similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity of two signatures; 0.0 when either text was empty."""
    if a.is_empty() or b.is_empty():
        return 0.0
    return float(a.jaccard(b))


# Signatures are stored with each generation (``index.writer``), so an upload compares its
# plan with the stored signatures instead of re-shingling every stored plan (26 s at 1,339
# plans). The key names everything the hash values depend on: a stored row with another key
# is ignored and recomputed.
_PROBE = MinHash(num_perm=1, seed=1)
_HV_DTYPE = _PROBE.hashvalues.dtype
_EMPTY_HV = _PROBE.hashvalues[0]           # the value of every slot of an empty signature
SIGNATURE_KEY = f"minhash-onset{SHINGLE}-perm{NUM_PERM}-seed1-{_PROBE.scheme}-{_HV_DTYPE}"


def signature_bytes(sig: MinHash) -> bytes:
    return np.ascontiguousarray(sig.hashvalues, dtype=_HV_DTYPE).tobytes()


def signature_values(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_HV_DTYPE)


def similarities(sig: MinHash, stored: np.ndarray) -> np.ndarray:
    """:func:`similarity` of ``sig`` with every row of ``stored`` (hash values, one row per
    document): the same numbers, computed at once."""
    stored = np.asarray(stored, dtype=_HV_DTYPE).reshape(-1, NUM_PERM)
    if sig.is_empty() or not stored.size:
        return np.zeros(stored.shape[0])
    out = np.count_nonzero(stored == np.asarray(sig.hashvalues, dtype=_HV_DTYPE), axis=1) / float(NUM_PERM)
    out[np.all(stored == _EMPTY_HV, axis=1)] = 0.0
    return out


def find_duplicates(parsed_docs: list[ParsedDocument], threshold: float = DUPLICATE_THRESHOLD) -> dict[str, str]:
    """``{duplicate id: primary id}`` for every group of near-identical documents.

    Within a group the primary is the copy with the highest diacritic ratio (the clean one);
    among equally clean copies the longer text, then the smaller id, so the choice is stable.
    """
    sigs = {p.document.id: signature(p.text) for p in parsed_docs if len(_shingles(p.text)) >= MIN_SHINGLES}
    lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=NUM_PERM)   # candidates only
    for doc_id, sig in sigs.items():
        lsh.insert(doc_id, sig)
    parent = {doc_id: doc_id for doc_id in sigs}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for doc_id, sig in sigs.items():
        for other in lsh.query(sig):
            if other != doc_id and similarity(sig, sigs[other]) >= threshold:
                parent[root(other)] = root(doc_id)
    by_id = {p.document.id: p for p in parsed_docs}
    groups: dict[str, list[str]] = {}
    for doc_id in sigs:
        groups.setdefault(root(doc_id), []).append(doc_id)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) > 1:
            primary = _primary([by_id[d] for d in members])
            out.update({d: primary for d in members if d != primary})
    return out


def _primary(copies: list[ParsedDocument]) -> str:
    """The clean copy: highest diacritic ratio. Copies that are all clean (ratios within
    CLEAN_MARGIN) are told apart by length, so a full plan wins over its appendix extract."""
    ratios = {p.document.id: diacritic_ratio(p.text) for p in copies}
    best = max(ratios.values())
    clean = [p for p in copies if ratios[p.document.id] >= best - CLEAN_MARGIN]
    return min(clean, key=lambda p: (-len(p.text), p.document.id)).document.id


def merge_metadata(primary: Document, duplicate: Document) -> Document:
    """A copy of ``primary`` whose EMPTY metadata fields are filled from ``duplicate``.

    Each filled field records ``field_origin[field] = duplicate.id`` and takes the duplicate's
    span, which points into the *duplicate's* text (the primary's text does not hold it).
    """
    merged = replace(primary, field_spans=dict(primary.field_spans), field_origin=dict(primary.field_origin))
    for f in MERGE_FIELDS:
        value = getattr(duplicate, f)
        if getattr(merged, f) or not value:
            continue
        setattr(merged, f, value)
        merged.field_origin[f] = duplicate.field_origin.get(f, duplicate.id)
        if f in duplicate.field_spans:
            merged.field_spans[f] = list(duplicate.field_spans[f])
    return merged
