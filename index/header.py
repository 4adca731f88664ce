"""Document metadata from the normalized text: letterhead, number, date, type, title, signer.

Vietnamese administrative documents share one layout (Nghị định 30/2020/NĐ-CP): issuing body
and number on the left, motto and "<place>, ngày … tháng … năm …" on the right, then the
type line (KẾ HOẠCH) and the trích yếu, and at the end the recipients (Nơi nhận) beside the
signature block. Extraction, layout damage and OCR scramble that layout, so every pattern
runs on ``fold(text)`` (same offsets, no diacritics) and tolerates the usual OCR confusions.
Every value comes with the span it was read from (``field_spans``), so metadata answers can
be cited like any other passage.
"""
from __future__ import annotations

import re

from index.text import compact, fold

FIELDS = ("issuer", "parent_issuer", "number", "place", "date", "doc_type", "title",
          "signer", "signer_role", "level")

# folded type line -> canonical name; longest first so "chuong trinh hanh dong" wins
DOC_TYPES = {
    "chuong trinh hanh dong": "Chương trình hành động", "chuong trinh": "Chương trình",
    "ke hoach": "Kế hoạch", "nghi quyet": "Nghị quyết", "quyet dinh": "Quyết định",
    "bao cao": "Báo cáo", "cong van": "Công văn", "chi thi": "Chỉ thị", "ket luan": "Kết luận",
    "thong bao": "Thông báo", "huong dan": "Hướng dẫn", "to trinh": "Tờ trình", "de an": "Đề án",
    "thong tu": "Thông tư", "nghi dinh": "Nghị định", "quy che": "Quy chế", "quy dinh": "Quy định",
}
# the type code inside a number ("…/KH-…", "…-NQ/…") when the type line is missing
TYPE_CODES = {"KH": "Kế hoạch", "NQ": "Nghị quyết", "QD": "Quyết định", "CV": "Công văn",
              "BC": "Báo cáo", "CTR": "Chương trình", "CTHD": "Chương trình hành động",
              "TB": "Thông báo", "KL": "Kết luận", "CT": "Chỉ thị", "HD": "Hướng dẫn",
              "TTR": "Tờ trình", "DA": "Đề án", "TT": "Thông tư", "ND": "Nghị định"}

_LINE = re.compile(r"[^\n]*")
_MARKUP = "#*>|`_ \t"
# "Số:" at the start of a line or of a column (2+ spaces/tab); OCR reads "Số" as "Sb", "S6"
_NUM_LEAD = re.compile(r"(?:^|(?<=\s\s)|(?<=\t))s[o0b6]\s*[:.]?\s*")
# "3469/KH-SNV", " /KH-VPUB" (state style) and "57-NQ/TW", "3260-KH/ĐĐQH15" (party style);
# OCR turns "-" into "—" and scatters spaces
_NUM_STATE = re.compile(r"(\d*)\s*/\s*([a-z]{1,8})\s*[-–—]\s*([a-z0-9]+(?:-[a-z0-9]+)*)")
_NUM_PARTY = re.compile(r"(\d*)\s*[-–—]\s*([a-z]{1,8})\s*/\s*([a-z0-9]+(?:-[a-z0-9]+)*)")
_DATE = re.compile(r"ng\wy\s*(\d{1,2})?\s*th\wng\s*(\d{1,2})?\s*n\wm\s*((?:19|20)\d\d)")
_MOTTO = re.compile(
    r"c[o0]ng h[o0]a x[a-z] h\S{1,2}i ch[a-z] ngh\S{1,2}a vi\S{1,2}t nam"
    r"|\S{1,4}\s*[l1i]\S{1,2}p\s*-\s*t\S{0,2} d[o0]\s*-\s*h\S{1,3}h ph\S{1,4}"
    r"|d\S{1,2}ng c\S{1,2}ng s\S{1,2}n vi\S{1,2}t nam")
_ROLE_PREFIX = re.compile(r"^(?:kt|tm|t/m|tl|tuq|q|k/t)\s*[./]?\s+")
_ROLE_WORDS = re.compile(r"\b(?:giam [dp]oc|chu tich|chanh|truong|pho|bi thu|thu tuong|chu nhiem|uy vien)\b")
_NUMBERED = re.compile(r"(?:[ivx]+|\d+(?:\.\d+)*)\s*[.)\-–]\s")
_RECIPIENTS = re.compile(r"n[o0]i nh\S{1,2}n\s*:?")
_APPENDIX = re.compile(r"phu luc\b")
_ATTACHED = re.compile(r"\(\s*kem theo\b([^()\n]{0,400})\)")
_ISSUES = re.compile(r"\bban hanh (?:ke hoach|chuong trinh|nghi quyet|quyet dinh|huong dan|de an|quy che)")
# what an issuing body's name starts with (so "Tổng Bí thư … đã ký ban hành" is not one)
_ORG_START = re.compile(r"(?:so|bo|ban|van phong|ubnd|uy ban|hdnd|hoi dong|dang|chinh phu|quoc hoi|thu tuong"
                        r"|tong cuc|cuc|chi cuc|vien|trung tam|tinh uy|thanh uy|huyen uy|mat tran|phong|cong an"
                        r"|bo chi huy|doan|hoi|truong)\b")
_UBND = re.compile(r"[uủụ][yỷ]\s*ban\s+nh[âa]n\s+d[âa]n", re.I)
# a line ending on one of these words cannot end a title: the sentence goes on
_DANGLING = re.compile(r"(?:,|\b(?:cua|va|ve|so|ngay|tai|cac|nhung|tren|cho|voi|theo|trong|den|de|la|bo|ban"
                       r"|nam|thang|giai doan|quoc|dang|chinh))\s*$")
_BODY_START = re.compile(r"(?:[ivx]+\s*[.\-–]|\d+\.|dieu\s+\d+|can cu\b|quyet nghi\b)")

# uppercase-line casing: these words keep their capital, the word after a head noun gets one
_ACRONYMS = {"UBND", "HĐND", "MTTQ", "TW", "TƯ", "CP", "ĐCSVN", "KH", "CN", "ĐMST", "CĐS"}
_HEAD_NOUNS = ("văn phòng", "đảng đoàn", "đảng ủy", "ban cán sự", "ủy ban", "hội đồng", "sở", "bộ",
               "ban", "cục", "vụ", "tổng cục", "viện", "trung tâm", "phòng", "chi cục")
_ALWAYS_CAPITAL = re.compile(r"\b(?:trung ương|quốc hội|chính phủ|nhà nước|đảng|việt nam|mặt trận)\b")
_PLACE_NOUNS = ("tỉnh", "thành phố", "xã", "phường", "huyện", "thị xã", "thị trấn", "quận")


def extract_header(text: str) -> dict:
    """Metadata of a normalized document: ``{field: value, …, "field_spans": {field: [s, e]}}``.

    Fields: issuer, parent_issuer, number, place, date (ISO, or "YYYY-MM" / "YYYY" when the day
    or month is blank), doc_type, title, signer, signer_role, level, plus "recipients" in
    ``field_spans`` only (the Nơi nhận block). Missing fields are "".
    """
    folded = fold(text)
    lines = _lines(text)
    out: dict = {f: "" for f in FIELDS}
    spans: dict[str, list[int]] = {}
    top = _top_lines(lines, folded)
    num_end = _read_number(text, folded, top, out, spans)
    _read_date(text, folded, top, num_end, out, spans)
    _read_type_and_title(text, folded, top, out, spans)
    _read_letterhead(text, folded, top, out, spans)
    _read_issuing_phrase(text, folded, out, spans)
    _read_attachment_line(text, folded, out, spans)
    _read_closing(text, folded, lines, out, spans)
    if not out["doc_type"]:
        _type_from_number(text, out, spans)
    out["level"] = level_of(out["issuer"])
    out["field_spans"] = spans
    return out


def level_of(issuer: str) -> str:
    """Administrative level of an issuing body: "xã", "sở", "tỉnh", "trung ương" or ""."""
    f = " " + compact(issuer) + " "
    if f.startswith(" so "):
        return "sở"
    if f.startswith(" bo "):                   # Bộ …, Bộ Chính trị
        return "trung ương"
    if re.search(r" (?:xa(?! hoi)|phuong|thi tran) ", f):   # not "Lao động - Thương binh và Xã hội"
        return "xã"
    if re.search(r" tinh |tinh uy", f):
        return "tỉnh"
    if re.search(r"chinh phu|quoc hoi|ban bi thu|trung uong|thu tuong", f):
        return "trung ương"
    return ""


# ---------------------------------------------------------------- lines

def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line, markdown markers and outer spaces excluded."""
    out = []
    for m in _LINE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s] in _MARKUP:
            s += 1
        while e > s and text[e - 1] in _MARKUP:
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _top_lines(lines: list[tuple[int, int]], folded: str) -> list[tuple[int, int]]:
    """The lines before the body starts (first numbered heading, "Căn cứ", "Điều 1"…)."""
    top = []
    for s, e in lines[:60]:
        if s > 5000 or (top and _BODY_START.match(folded, s)):
            break
        top.append((s, e))
    return top


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _set(out: dict, spans: dict, field: str, value: str, s: int, e: int, strip: str = " ,;:.-") -> None:
    value = re.sub(r"\s+", " ", value).strip(strip)
    if value and not out[field]:
        out[field] = value
        spans[field] = [s, e]


# ---------------------------------------------------------------- number, date

def _parse_number(text: str, folded: str, pos: int, end: int) -> tuple[str, int, int] | None:
    """A document number starting at ``pos`` (just after "Số:"), canonical form and span."""
    for rx, fmt in ((_NUM_STATE, "{0}/{1}-{2}"), (_NUM_PARTY, "{0}-{1}/{2}")):
        m = rx.match(folded, pos, end)
        if m:
            parts = [text[m.start(i):m.end(i)] for i in (1, 2, 3)]
            return fmt.format(*parts), m.start(), m.end()
    return None


def _read_number(text, folded, top, out, spans) -> int:
    for s, e in top:
        for lead in _NUM_LEAD.finditer(folded[s:e]):
            got = _parse_number(text, folded, s + lead.end(), e)
            if got:
                _set(out, spans, "number", got[0], s + lead.start(), got[2], strip=" ")
                return got[2]
    return -1


def _iso_date(day: str | None, month: str | None, year: str) -> str:
    d, m = int(day or 0), int(month or 0)
    if 1 <= m <= 12 and 1 <= d <= 31:
        return f"{year}-{m:02d}-{d:02d}"
    return f"{year}-{m:02d}" if 1 <= m <= 12 else year


def _read_date(text, folded, top, num_end, out, spans) -> None:
    """The "<place>, ngày … tháng … năm …" line; the place is the capitalised words before it."""
    for s, e in top:
        m = _DATE.search(folded, s, e)
        if not m:
            continue
        before = text[max(s, num_end):m.start()].rstrip()
        if before and not before.endswith(","):
            continue        # a date inside a sentence, not the dateline
        words = before.rstrip(",").split()
        place = []
        while words and words[-1][:1].isupper() and len(place) < 4:
            place.insert(0, words.pop())
        if place:
            p_start = text.rfind(place[0], s, m.start())
            _set(out, spans, "place", " ".join(place), p_start, p_start + len(" ".join(place)))
        _set(out, spans, "date", _iso_date(*m.groups()), m.start(), m.end())
        return


# ---------------------------------------------------------------- type line and title

def _type_of(line: str) -> str:
    """Canonical document type when ``line`` is an upper-case type line (tolerates lost accents)."""
    if not _is_upper(line) or len(line) > 60:
        return ""
    key = compact(line).rstrip(":. ")
    for k, name in DOC_TYPES.items():
        if key == k or key.startswith(k + " cua ") or key.startswith(k + " so "):
            return name
    return ""


def _read_type_and_title(text, folded, top, out, spans) -> None:
    for i, (s, e) in enumerate(top):
        name = _type_of(text[s:e])
        if name:
            _set(out, spans, "doc_type", name, s, e)
            _read_title(text, folded, top[i + 1:], e, out, spans)
            return
    for s, e in top:   # no type line: a công văn says what it is about after "V/v"
        if folded.startswith("v/v", s):
            a = s + 3 + len(text[s + 3:e]) - len(text[s + 3:e].lstrip(" :"))
            _set(out, spans, "title", text[a:e], a, e)
            return
    if top and _APPENDIX.match(folded, top[0][0]):   # a file that is only an appendix
        _set(out, spans, "doc_type", "Phụ lục", *top[0])
        _read_title(text, folded, top[1:], top[0][1], out, spans)


def _read_title(text, folded, rest, after, out, spans) -> None:
    """The trích yếu: the lines after the type line up to the first blank line (a blank line
    after "… của Bộ" is a page-layout break, not the end of the title)."""
    picked: list[tuple[int, int]] = []
    for s, e in rest:
        gap = text[picked[-1][1] if picked else after:s]
        if picked and gap.count("\n") > 1 and not _DANGLING.search(folded, picked[-1][0], picked[-1][1]):
            break
        if _BODY_START.match(folded, s) or text[s:e].strip("-—_* ") == "" or len(picked) == 6:
            break
        picked.append((s, e))
    if not picked:
        return
    s, e = picked[0][0], picked[-1][1]
    value = " ".join(text[a:b] for a, b in picked)
    m = re.match(r"của\s+((?:\w+\s+){0,5}\w+)\s+(?=về\b)", value, re.I)
    if m and _is_upper(m.group(1)):   # "CỦA BỘ CHÍNH TRỊ về …": the issuer, then the subject
        _set(out, spans, "issuer", proper_case(m.group(1)), s + m.start(1), s + m.end(1))
    _set(out, spans, "title", value, s, e)


def _type_from_number(text, out, spans) -> None:
    m = re.search(r"(?:^|/|-)([A-Za-zĐđ]{2,5})(?:-|/|$)", out["number"])
    code = compact(m.group(1)).upper() if m else ""
    if code in TYPE_CODES:
        out["doc_type"] = TYPE_CODES[code]
        spans["doc_type"] = list(spans["number"])


# ---------------------------------------------------------------- issuer

def proper_case(name: str) -> str:
    """Sentence-case an upper-case agency name: "SỞ NỘI VỤ" -> "Sở Nội vụ",
    "UBND TỈNH NGHỆ AN" -> "UBND tỉnh Nghệ An". Mixed-case names are returned as they are."""
    name = re.sub(r"\s+", " ", name).strip()
    if not _is_upper(name):
        return name
    words = name.lower().split(" ")
    out, cap_next, place = [], True, False
    for i, w in enumerate(words):
        upper = w.upper()
        if upper in _ACRONYMS:
            out.append(upper)
            cap_next = False
            continue
        single_place = i > 0 and w in _PLACE_NOUNS     # "… VỤ TỈNH NGHỆ AN": "tỉnh" stays lower
        out.append(w[:1].upper() + w[1:] if (cap_next or place) and not single_place else w)
        joined = " ".join(words[max(0, i - 2):i + 1])
        cap_next = any(joined.endswith(h) for h in _HEAD_NOUNS)
        # "Bộ Văn hóa, Thể thao và Du lịch": every field of a ministry/department name
        cap_next = cap_next or (words[0] in ("bộ", "sở") and (w == "và" or w.endswith(",")))
        place = place or any(joined.endswith(p) for p in _PLACE_NOUNS)
    return _ALWAYS_CAPITAL.sub(lambda m: m.group(0)[0].upper() + m.group(0)[1:], " ".join(out))


def _issuer_name(raw: str) -> str:
    return _UBND.sub("UBND", proper_case(raw))


def _read_letterhead(text, folded, top, out, spans) -> None:
    """Issuing body: the upper-case lines above the number (or the type line), motto removed."""
    stop = spans.get("number", spans.get("doc_type", [10 ** 9]))[0]
    names: list[tuple[int, int]] = []
    for s, e in top:
        if s >= stop:
            break
        for a, b in _outside_motto(folded, s, e):
            seg = text[a:b]
            if _is_upper(seg) and sum(c.isalpha() for c in seg) >= 3 and not _DATE.search(folded, a, b):
                names.append((a, b))
    if not names:
        return
    if out["issuer"]:          # named by the title ("NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ"): letterhead is above it
        s, e = names[-1]
        if compact(text[s:e]) != compact(out["issuer"]):
            _set(out, spans, "parent_issuer", _issuer_name(text[s:e]), s, e)
        return
    (ps, pe), (s, e) = (names[-2] if len(names) > 1 else (0, 0)), names[-1]
    issuer = _issuer_name(text[s:e])
    if pe and compact(issuer) in ("van phong", "thuong truc", "ban thuong vu"):
        issuer = f"{issuer} {_issuer_name(text[ps:pe])}"    # "VĂN PHÒNG" of the body above it
        s = ps
    _set(out, spans, "issuer", issuer, s, e)
    if pe:
        _set(out, spans, "parent_issuer", _issuer_name(text[ps:pe]), ps, pe)


def _outside_motto(folded: str, s: int, e: int) -> list[tuple[int, int]]:
    """The parts of a line that are not the national/party motto (columns merged by extraction)."""
    parts, pos = [], s
    for m in _MOTTO.finditer(folded, s, e):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, e))
    out = []
    for a, b in parts:
        while a < b and not folded[a].isalnum():
            a += 1
        while b > a and not folded[b - 1].isalnum():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _read_issuing_phrase(text, folded, out, spans) -> None:
    """"… , Sở Nội vụ ban hành Kế hoạch …": the subject of the opening sentence."""
    m = _ISSUES.search(folded, 0, min(len(folded), 8000))
    if not m:
        return
    start = max(text.rfind(c, 0, m.start()) for c in ",;:.()\n") + 1
    s, e = start, m.start()
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    subject = text[s:e]
    if not subject[:1].isupper() or not 1 <= len(subject.split()) <= 10 or not _ORG_START.match(folded, s):
        return
    name = _issuer_name(subject)
    if out["issuer"] and compact(name) == compact(out["issuer"]):
        spans.pop("issuer")          # same body: keep the running-text spelling (proper case)
        out["issuer"] = ""
    _set(out, spans, "issuer", name, s, e)


def _read_attachment_line(text, folded, out, spans) -> None:
    """"(Kèm theo Kế hoạch số /KH-UBND ngày … tháng 7 năm 2025 của UBND xã …)" fills gaps."""
    m = _ATTACHED.search(folded)
    if not m:
        return
    s, e = m.span(1)
    so = re.search(r"\bso\s*:?\s*", folded[s:e])
    if so and not out["number"]:
        got = _parse_number(text, folded, s + so.end(), e)
        if got:
            _set(out, spans, "number", got[0], got[1], got[2], strip=" ")
    d = _DATE.search(folded, s, e)
    if d and not out["date"]:
        _set(out, spans, "date", _iso_date(*d.groups()), d.start(), d.end())
    cua = folded.rfind(" cua ", s, e)
    if cua >= 0 and not out["issuer"]:
        _set(out, spans, "issuer", _issuer_name(text[cua + 5:e]), cua + 5, e)


# ---------------------------------------------------------------- closing block

def _role_segment(text: str, folded: str, s: int, e: int) -> tuple[int, int] | None:
    """The signer-role part of a line ("KT. CHÁNH VĂN PHÒNG"), also after "Nơi nhận:" when
    extraction merged the two columns."""
    colon = text.rfind(":", s, e)
    for a in (s, colon + 1) if colon >= 0 else (s,):
        while a < e and text[a] in " *_":
            a += 1
        seg = folded[a:e]
        if _is_bullet(text, a) or not seg or len(seg) > 70 or not _is_upper(text[a:e]):
            continue
        if is_role_line(text[a:e]):
            return a, e
    return None


def is_role_line(line: str) -> bool:
    """Whether an upper-case line is a signer role ("KT. CHÁNH VĂN PHÒNG", "GIÁM ĐỐC", "TM. UBND")."""
    f = fold(line).strip(" *#")
    if not _is_upper(line) or _NUMBERED.match(f):      # "V. TRÁCH NHIỆM CỦA CHỦ TỊCH" is a heading
        return False
    return bool(_ROLE_PREFIX.match(f) or _ROLE_WORDS.search(f))


def _is_bullet(text: str, pos: int) -> bool:
    """Whether the line holding ``pos`` is a list item ("- ", "+ ", "* ", "• ")."""
    raw = text.rfind("\n", 0, pos) + 1
    lead = text[raw:pos + 1].lstrip()
    return lead[:1] in ("-", "+", "•", "*")


def _is_person_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)


def _closing_window(text, folded, lines) -> tuple[list[tuple[int, int]], int]:
    """Lines around the first "Nơi nhận" after the body (or before the first appendix), and
    the index of the "Nơi nhận" line in that window (-1 when absent)."""
    appendix = next((i for i, (s, e) in enumerate(lines) if i > 3 and _APPENDIX.match(folded, s)
                     and _is_upper(text[s:min(e, s + 7)])), len(lines))
    anchor = next((i for i, (s, e) in enumerate(lines[:appendix]) if i > 3 and _RECIPIENTS.match(folded, s)), -1)
    lo = max(0, anchor - 12) if anchor >= 0 else max(0, appendix - 30)
    hi = min(appendix, anchor + 35) if anchor >= 0 else appendix
    return lines[lo:hi], (anchor - lo if anchor >= 0 else -1)


def _read_closing(text, folded, lines, out, spans) -> None:
    window, anchor = _closing_window(text, folded, lines)
    roles: list[tuple[int, int]] = []
    for s, e in window:
        seg = _role_segment(text, folded, s, e)
        if seg and len(roles) < 4:
            roles.append(seg)
        elif roles and _is_person_name(text[s:e]):
            _set(out, spans, "signer", text[s:e], s, e)
            break
    if roles:
        value = " / ".join(re.sub(r"\s+", " ", text[a:b]) for a, b in roles)
        _set(out, spans, "signer_role", value, roles[0][0], roles[-1][1])
    if anchor >= 0:
        s = window[anchor][0]
        end = window[anchor][1]
        for a, b in window[anchor + 1:]:
            if not _is_bullet(text, a) and not folded.startswith("luu", a):
                break
            end = b
        spans["recipients"] = [s, end]
