"""Documents bundled in one file: a compilation that holds several documents one after another.

A file such as "Nghị quyết 57 + Kết luận 69 + Nghị quyết 20" opens each document with a
markdown heading naming it ("# Kết luận số 69-KL/TW", "# Nghị quyết 20 - 2012"). The file
stays one document of the index (one source, one id, one text); its parts are listed in the
document's metadata, each with its span and its own header fields (number, date, issuer,
signer…, read from the part's text like a whole document's), so a question naming one part
is answered from that part only, and its metadata questions from that part's header.
"""
from __future__ import annotations

import re

from index.header import DOC_TYPES, FIELDS, extract_header
from index.text import fold

# "# Kết luận số 69-KL/TW", "## Nghị quyết 20 - 2012": a heading line that is only a document's name
_KINDS = "|".join(sorted(DOC_TYPES, key=len, reverse=True))
_PART_HEADING = re.compile(
    rf"^(#{{1,3}})[ \t]+((?P<kind>{_KINDS})\s+(?:so\s+)?(?P<no>\d{{1,5}})(?:\s*[/-]\s*[a-z]+(?:\s*[/-]\s*[a-z0-9]+)*)?"
    r"(?:\s*[-–,]\s*(?:nam\s+)?(?P<year>(?:19|20)\d\d))?)[ \t]*$", re.M)
_ANY_HEADING = re.compile(r"^(#{1,6})[ \t]+\S", re.M)
# "Kết luận số 69-KL/TW ngày 11/01/2024 của Bộ Chính trị về …": the part's opening sentence
_OPENING = re.compile(r"\bngay\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d\d)\)?\s+cua\s+([^,.;\n]{3,60}?)\s+ve\s")
# "T/M BỘ CHÍNH TRỊ (Đã ký) Trương Thị Mai": role, "(Đã ký)" and name on one line
_SIGNED = re.compile(r"((?:t/m|tm|kt|k/t|tl|tuq)\.?\s[^()\n|]{3,60}?)\s*\(\s*da ky\s*\)\s*([^\n|()]{5,40}?)[ \t|]*$",
                     re.M)


def find_parts(text: str) -> list[dict]:
    """The documents a compilation file holds, in order; [] for a file holding one document
    (fewer than two headings naming a document). Each part: name, doc_type, number, year,
    start, end, the header fields read from its own text, and their spans (into ``text``)."""
    folded = fold(text)
    heads = list(_PART_HEADING.finditer(folded))
    if len(heads) < 2:
        return []
    parts = []
    for i, m in enumerate(heads):
        level = len(m.group(1))
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        for h in _ANY_HEADING.finditer(folded, m.end(), end):     # "# So sánh …" ends it too
            if len(h.group(1)) <= level:
                end = h.start()
                break
        parts.append(_part(text, folded, m, end))
    return parts


def _part(text: str, folded: str, m: re.Match, end: int) -> dict:
    start = m.start()
    header = extract_header(text[start:end])
    spans = {f: [a + start, b + start] for f, (a, b) in header.get("field_spans", {}).items()}
    part = {f: header.get(f, "") for f in FIELDS}
    name = text[m.start(2):m.end(2)].strip()
    if not part["doc_type"]:
        part["doc_type"], spans["doc_type"] = DOC_TYPES[m.group("kind")], [m.start(2), m.end(2)]
    if not part["number"]:      # the heading's code: its digits (always there) and series
        code = re.match(r"\d+(?:\s*[/-]\s*[a-z]+(?:\s*[/-]\s*[a-z0-9]+)*)?", folded[m.start("no"):m.end(2)])
        a, b = m.start("no"), m.start("no") + len(code.group(0).rstrip(" -"))
        part["number"], spans["number"] = text[a:b], [a, b]
    head_end = min(end, m.end() + 1500)
    opening = _OPENING.search(folded, m.end(), head_end)
    if opening and not part["date"]:
        d, mo, y = opening.group(1), opening.group(2), opening.group(3)
        part["date"], spans["date"] = f"{y}-{int(mo):02d}-{int(d):02d}", [opening.start(), opening.end(3)]
    if opening and not part["issuer"]:
        part["issuer"], spans["issuer"] = text[opening.start(4):opening.end(4)], list(opening.span(4))
    if not part["signer"]:
        signed = list(_SIGNED.finditer(folded, max(m.end(), end - 3000), end))
        if signed:
            s = signed[-1]
            part["signer_role"], spans["signer_role"] = re.sub(r"\s+", " ", text[s.start(1):s.end(1)]), list(s.span(1))
            part["signer"], spans["signer"] = text[s.start(2):s.end(2)].strip(), list(s.span(2))
    return {"name": name, "year": m.group("year") or (part["date"] or "")[:4], "start": start, "end": end,
            **part, "field_spans": spans}
