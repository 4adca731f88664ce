"""Compose a short, cited, extractive Vietnamese answer — or abstain.

who/when/result → the matching task rows (lead, main unit, partners, deadline, result);
number → indicator rows (value per year) or a sentence with the figure; meta → the
header; list → the rows/bullets of the matching group; otherwise the best sentence(s).
When several plans answer and the question names none, each plan gets its own line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index import text as vt
from index.reader import IndexSnapshot
from rag.evidence import SUBJECTLESS, Unit
from rag.query import ARCHIVE_Q, RECIPIENTS_Q, Query, asks_progress, asks_source
from rag.types import Citation

ABSTAIN_MESSAGE = "Không tìm thấy trong các kế hoạch đã nạp."
MAX_QUOTE = 600
MAX_HEADED_QUOTE = 1000  # a duty quoted with the unit heading above it that says who does it
ITEM_TAIL = 400          # a quoted sentence goes on to the end of its list item within this
MAX_ROW_QUOTE = 1500     # a table row is quoted whole: its lead/deadline cells come after a long content cell


@dataclass
class Thresholds:
    abstain: float = 0.50        # best unit match below this → "not found" (calibrated on dev)
    abstain_open: float = 0.35   # the same for open what/how questions (paraphrased more often)
    task: float = 0.45           # a task row must match at least this to answer who/when
    other_plan: float = 0.85     # another plan's best unit within this ratio of the best → per-plan answer
    other_plan_floor: float = 0.78   # … and matching at least this well (a weak match is another task)
    other_plan_floor_who: float = 0.75   # … for "who": the passage must name its unit (gives_asked_detail),
                                         # and plans word the same task with other verbs
    near_tie: float = 0.01       # another plan's units matching within this of each other match alike
    row_margin: float = 0.08     # a table row is preferred over prose matching at most this much better
    confirm: float = 0.80        # "có phải … không": the evidence must state (nearly all of) the claim
    list_item: float = 0.75      # a list's further sentences match at least this share of its best one
    duty_item: float = 0.90      # "<unit> có vai trò gì …": its sections' further items match this share
                                 # of the best (they share the unit's heading, so all match some)
    section_title: float = 0.40  # a "which ones" section's title naming part of the topic, its items the rest
    filtered: float = 0.70       # when the best match cannot answer the asked type, the next one must
                                 # match at least this share of it (else it is about something else)


def part_at(meta: dict, pos: int | None) -> dict | None:
    """The part of a compilation file (index.parts) that holds text position ``pos``, if any."""
    if pos is None:
        return None
    return next((p for p in meta.get("parts") or () if p["start"] <= pos < p["end"]), None)


def plan_label(meta: dict, at: int | None = None) -> str:
    """Short human name of a plan: "Kế hoạch 3469/KH-SNV (Sở Nội vụ, 2025)"; for a passage at
    ``at`` inside a compilation file, that of the document holding it ("Kết luận 69-KL/TW …")."""
    meta = part_at(meta, at) or meta
    kind = meta.get("doc_type") or "Văn bản"
    number = meta.get("number") or ""
    number = number if re.match(r"\d", number) else ""
    bits = [b for b in (meta.get("issuer"), (meta.get("date") or "")[:4]) if b]
    return f"{kind} {number}".strip() + (f" ({', '.join(bits)})" if bits else "")


class Composer:
    def __init__(self, snap: IndexSnapshot, q: Query, th: Thresholds):
        self.snap, self.q, self.th = snap, q, th
        self.citations: list[Citation] = []
        self.blank_fields: list[str] = []      # header fields asked for that the plan left blank
        self._sections: dict[str, dict[tuple, dict]] = {}
        self._texts: dict[str, str] = {}

    def text(self, doc_id: str) -> str:
        """The document's text, read from the store once per answer."""
        if doc_id not in self._texts:
            self._texts[doc_id] = self.snap.document_text(doc_id)
        return self._texts[doc_id]

    # ------------------------------------------------------------ citations

    def cite(self, doc_id: str, start: int, end: int, section: list[str] | str, score: float,
             max_len: int = MAX_QUOTE) -> str:
        for c in self.citations:
            if c.doc_id == doc_id and c.start == start:
                return f"[{c.n}]"
        text = self.text(doc_id)
        end = min(end, start + max_len, len(text))
        meta = self.snap.documents[doc_id]
        meta = part_at(meta, start) or meta          # a passage of a compilation: the document holding it
        sec = section if isinstance(section, str) else " > ".join(section)
        self.citations.append(Citation(len(self.citations) + 1, doc_id, meta.get("title") or meta.get("name", ""),
                                       meta.get("number", ""),
                                       sec, text[start:end], start, end, round(float(score), 4)))
        return f"[{len(self.citations)}]"

    # ------------------------------------------------------------ renderers

    def task_line(self, u: Unit) -> str:
        t, intents = u.record, self.q.intents
        parts = []
        if "result" in intents and t.get("expected_result"):
            parts.append(f"dự kiến kết quả: {t['expected_result']}")
        if t.get("lead"):
            parts.append(f"chủ trì: {t['lead']}")
        if t.get("main_unit"):
            parts.append(f"thực hiện chính: {t['main_unit']}")
        if t.get("partners"):
            parts.append(f"phối hợp: {t['partners']}")
        if t.get("deadline_text"):
            parts.append(f"thời hạn: {t['deadline_text']}")
        if "result" not in intents and t.get("expected_result") and len(parts) < 4:
            parts.append(f"kết quả: {t['expected_result']}")
        if "when" in intents:
            parts.sort(key=lambda p: not p.startswith("thời hạn"))
        if (asks_progress(self.q.folded) or asks_source(self.q.folded)) and t.get("note"):
            # a progress report's "Tiến độ: …; Kết quả hiện nay: …", a plan's "Cập nhật bổ sung từ …"
            parts.insert(0, t["note"][:1].lower() + t["note"][1:])
        content = t.get("content", "")
        if "list" in intents and enumerates(content):
            content = _short(content, 700)            # the row lists the items asked for: all of them
        elif {"open", "list", "result"} & set(intents):
            content = self.window(content, 450 * self._asks())      # the part of a long row the question is about
        else:
            content = self.window(content, 160 * self._asks())
        body = "; ".join(parts) if parts else content
        if parts:
            body = body[0].upper() + body[1:]
        ref = self.cite(u.doc_id, *t["span"], u.section_path, u.match, max_len=MAX_ROW_QUOTE)
        return f"{body} — nhiệm vụ «{content}» {ref}"

    def _asks(self) -> int:
        """How many things the question asks (its question words, at most 2): "… theo cách nào,
        và … của cơ quan nào?" needs room for both parts of a row."""
        return min(2, max(1, len(re.findall(r"\b(nao|gi|bao nhieu|ai|the nao|ra sao)\b", self.q.folded))))

    def window(self, text: str, n: int) -> str:
        """At most ``n`` characters of ``text``: the run of whole clauses that holds the most
        (IDF-weighted) question terms, marked with "…" where text was left out."""
        text = re.sub(r"\s+", " ", text).strip()
        if len(text) <= n:
            return text
        cuts = [0] + [m.end() for m in re.finditer(r"[.;:)]\s+|\s+(?=\()", text)] + [len(text)]
        weights = {t: self.snap.idf(t) for t in dict.fromkeys(self.q.terms)}
        best, best_score = (0, 0), -1.0
        for i, start in enumerate(cuts[:-1]):
            end = start
            for c in cuts[i + 1:]:
                if c - start > n:
                    break
                end = c
            if end == start:
                continue
            have = set(vt.syllables(vt.fold(text[start:end])))
            score = sum(w for t, w in weights.items() if t in have)
            if score > best_score + 1e-9:
                best, best_score = (start, end), score
        start, end = best
        if end == start:
            return _short(text, n)
        return ("… " if start else "") + text[start:end].strip() + (" …" if end < len(text) else "")

    def indicator_line(self, u: Unit) -> str:
        ind = u.record
        targets = ind.get("targets") or {}
        years = [y for y in self.q.years if y in targets]
        shown = {y: targets[y] for y in (years or targets)}
        vals = "; ".join(f"năm {y}: {_with_unit(v, ind.get('unit', ''))}" if y else _with_unit(v, ind.get("unit", ""))
                         for y, v in shown.items())
        ref = self.cite(u.doc_id, *ind["span"], u.section_path, u.match)
        owner = f" (theo dõi: {ind['owner']})" if ind.get("owner") else ""
        return f"{_short(ind.get('name', ''), 140)}: {vals}{owner} {ref}"

    def section(self, doc_id: str, path: list[str]) -> dict:
        """The section record at ``path`` (full heading and its span; chunk headings are
        shortened for retrieval), {} when unknown."""
        if doc_id not in self._sections:
            self._sections[doc_id] = {tuple(sec["path"]): sec for sec in self.snap.sections(doc_id)}
        return self._sections[doc_id].get(tuple(path), {})

    def sentence_line(self, u: Unit) -> str:
        lead, start = "", u.start
        # "- Là cơ quan thường trực …" under "2. Văn phòng Sở": the heading is the sentence's subject
        subjectless = bool(SUBJECTLESS.match(u.text))
        if (subjectless or any(i in self.q.intents for i in ("who", "who_partner", "when"))) and u.heading:
            sec = self.section(u.doc_id, u.section_path)
            last = sec.get("heading") or u.heading.split("›")[-1].strip()
            last = re.sub(r"\s+", " ", last).strip()
            bare = re.sub(r"^[\dIVXLCivxlc.)a-zđ]{1,6}[.)]\s*", "", last)      # heading without its number
            if last and vt.compact(bare)[:40] not in vt.compact(u.text):
                lead = f"Mục {last}: "
                span = sec.get("span")
                if (subjectless or {"who", "who_partner"} & set(self.q.intents)) and span \
                        and _NAMES_UNIT.search(vt.fold(bare)) \
                        and 0 <= u.start - span[0] and u.end - span[0] <= MAX_HEADED_QUOTE:
                    start = span[0]     # "1.4. Phòng Thi đua khen thưởng\n- Tham mưu …": the heading says who — quote it too
        # "… thì kế hoạch phải xác định rõ những gì": the list item's next sentence may say it
        text, end = u.text.strip(), self.item_end(u.doc_id, u.end)
        if end > u.end:
            text += " " + re.sub(r"\s+", " ", self.text(u.doc_id)[u.end:end]).strip()
        ref = self.cite(u.doc_id, start, end, u.section_path, u.match,
                        max_len=MAX_HEADED_QUOTE if start < u.start else MAX_QUOTE)
        return f"{lead}{text} {ref}"

    def item_end(self, doc_id: str, end: int, most: int = ITEM_TAIL) -> int:
        """Where the list item (bullet or numbered line) holding the sentence that ends at ``end``
        ends, if it goes on for at most ``most`` characters; else ``end``."""
        text = self.text(doc_id)
        tail = text[end:end + most + 1]
        if re.match(r"[ \t]*\n", tail):        # the sentence ends its line: a new paragraph follows
            return end
        m = _ITEM_START.search(tail)
        stop = m.start() if m else len(tail)
        closed = _LINE_CLOSED.search(tail[:stop])  # a later sentence of the item that ends its line
        stop = closed.end() if closed else stop
        if stop > most or not tail[:stop].strip():
            return end
        return end + len(tail[:stop].rstrip())

    def line(self, u: Unit) -> str:
        return {"task": self.task_line, "indicator": self.indicator_line}.get(u.kind, self.sentence_line)(u)

    def meta_lines(self, doc_ids: list[str]) -> list[str]:
        fields = _meta_fields(self.q.folded)
        stated = vt.compact(self.q.folded)
        lines = []
        for d in doc_ids:
            meta = self.snap.documents[d]
            parts = [p for p in meta.get("parts") or () if (p["start"], p["end"]) in self.q.parts.get(d, ())]
            if len(parts) == 1:     # the one part of a compilation file the question names: its header
                meta = parts[0]
            found = []
            for f, label in fields:
                key = "recipients" if f == "archive" else f     # "Lưu: VT, VP." closes the recipients block
                v = meta.get(f)
                span = (meta.get("field_spans") or {}).get(key)
                origin = (meta.get("field_origin") or {}).get(key, d)
                if f == "recipients" and span:
                    v, span = self._recipients(origin, span)
                elif f == "archive":
                    v, span = self._archive(origin, span) if span else ("", None)
                if v and _blank_for(f, v, self.q.folded):
                    self.blank_fields.append(f)
                    continue
                if v:
                    found.append((f, label, v, span, origin))
            # "Ông Đào Quang Thiên ký … thay ai": a field the question states is given, not asked
            asked = [x for x in found if vt.compact(x[2]) not in stated] or found
            vals = []
            for f, label, v, span, origin in asked:
                part = "Phần ký" if f in ("signer", "archive") else "Phần đầu văn bản"
                ref = self.cite(origin, span[0], span[1], part, 1.0) if span else ""
                vals.append(f"{label}: {_pretty(f, v)} {ref}".strip())
            if vals:
                lines.append("; ".join(vals))
        return lines

    def _archive(self, doc_id: str, span: list[int]) -> tuple[str, list[int] | None]:
        """Where the issuing office files its copies: the "Lưu: VT, VP." item of "Nơi nhận"."""
        text = self.text(doc_id)
        for m in re.finditer(r"^[ \t]*[-+•*]?[ \t]*(\S+)\s*:\s*(.+?)[ \t;.,]*$", text[span[0]:span[1]], re.M):
            if vt.fold(m.group(1)).lower() == "luu":
                return m.group(2), [span[0] + m.start(1), span[0] + m.end(2)]
        return "", None

    def _recipients(self, doc_id: str, span: list[int]) -> tuple[str, list[int] | None]:
        """The "Nơi nhận" items ("Lưu: …" excluded); only those sent for report ("(b/c)")
        when the question is about reporting."""
        text = self.text(doc_id)
        items = []
        for m in re.finditer(r"^[ \t]*[-+•*][ \t]*(.+?)[ \t;.,]*$", text[span[0]:span[1]], re.M):
            if not vt.fold(m.group(1)).lower().startswith("luu"):
                items.append((span[0] + m.start(1), span[0] + m.end(1)))
        if re.search(r"b/c|bao cao", self.q.folded) and any("b/c" in text[a:b].lower() for a, b in items):
            items = [(a, b) for a, b in items if "b/c" in text[a:b].lower()]
        if not items:
            return "", None
        return "; ".join(re.sub(r"\s+", " ", text[a:b]) for a, b in items), [items[0][0], items[-1][1]]


def _blank_for(field: str, value: str, folded_question: str) -> bool:
    """A draft's blank number ("/KH-SNV") does not say which number ("số hiệu / số bao nhiêu /
    số mấy"), nor a month-only date ("2026-02") which day ("ký ngày mấy", "ngày … cụ thể")."""
    if field == "number":       # "/KH-VPUB" gives the code ("ký hiệu"), not the number ("số hiệu")
        return not re.search(r"\d", value) and bool(re.search(r"\bso (hieu |bao nhieu|may)", folded_question)) \
            and not re.search(r"\bky hieu\b", folded_question)
    if field == "date":
        return len(value) < 10 and bool(re.search(r"\bngay (bao nhieu|may)\b|\bcu the\b", folded_question))
    return False


META_FIELDS = [
    (RECIPIENTS_Q, "recipients", "nơi nhận"),
    (ARCHIVE_Q, "archive", "nơi lưu"),
    # "gửi tới những sở nào" asks which departments, not which number
    (r"so hieu|ky hieu|ma hieu|(?<!nhung )(?<!cac )\bso (bao nhieu|may|gi|nao)\b|\bso cua\b|\bmang so\b|\bke hoach so\b",
     "number", "số hiệu"),
    (r"ngay|thoi gian ban hanh|khi nao|bao gio|(nam|thang) (nao|may)|thoi (diem|gian) nao", "date", "ngày ban hành"),
    # "được ký ngày nào" asks the date, not the signer
    (r"\bai ky\b|nguoi ky|\bky (ten|boi|ke hoach|van ban)\b"
     r"|\bky\b(?! hieu| (vao )?ngay| ban hanh (vao )?(ngay|thang|nam))", "signer", "người ký"),
    # "ký thay ai", "thay mặt cơ quan nào"; "ai ký thay mặt Bộ Chính trị" states the capacity itself
    (r"chuc vu|cuong vi|chuc danh|danh nghia|tu cach|\bgiu chuc\b|\bchuc (gi|nao)\b"
     r"|\b(?:thay mat|ky thay(?: mat)?) (?:cho )?(?:ai|gi|(?:\w+ ){1,2}nao)\b", "signer_role", "chức vụ người ký"),
    (r"co quan|don vi|ai (ban|phat) hanh|noi ban hanh", "issuer", "cơ quan ban hành"),
    (r"\bten\b|trich yeu|ve viec|noi dung chinh", "title", "trích yếu"),
]
# The plan the question names is not what it asks: "Kế hoạch số 3469/KH-SNV ngày 29/6/2025
# do cơ quan nào ban hành?" asks only for the issuer.
_GIVEN = re.compile(r"\b(ke hoach |van ban )?so:? ?(?:\d+[\w/.-]*|/[a-z][\w/.-]*)"
                    r"|\b(ky |de )?ngay \d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\b\d+/[a-z]+(-[a-z]+)+\b"
                    r"|\b(ky |de )?ngay \d{1,2} thang \d{1,2}( nam \d{4})?")


def _meta_fields(folded: str) -> list[tuple[str, str]]:
    asked = _GIVEN.sub(" ", folded)
    out = [(f, label) for rx, f, label in META_FIELDS if re.search(rx, asked)]
    if any(f in ("recipients", "archive") for f, _ in out):    # "gửi đến những cơ quan nào / lưu ở đâu"
        out = [(f, label) for f, label in out if f not in ("issuer", "signer", "date", "number")]
    if any(f == "signer_role" for f, _ in out) and not re.search(r"\bai\b|\bten\b", asked):
        out = [(f, label) for f, label in out if f != "signer"]     # "người ký giữ chức vụ gì?" (not "ai … ký")
    fields = [f for f, _ in out]
    if "signer" in fields and "title" in fields and not re.search(
            r"\bten (day du |chinh thuc )?(cua )?(ke hoach|van ban)\b|trich yeu|ve viec|noi dung chinh", asked):
        out = [(f, label) for f, label in out if f != "title"]      # "Giám đốc … ký kế hoạch tên là gì": a name
    return out or [("number", "số hiệu"), ("date", "ngày ban hành"), ("issuer", "cơ quan ban hành")]


def _pretty(field_name: str, value: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value) if field_name == "date" else None
    if m:
        return f"{int(m.group(3))}/{int(m.group(2))}/{m.group(1)}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", value) if field_name == "date" else None
    if m:
        return f"tháng {int(m.group(2))}/{m.group(1)}"
    return value


# the start of the next list item or heading: "- …", "+ …", "2. …", "b) …", "II. …"
_ITEM_START = re.compile(r"\n\s*(?:[-+•*]|\d+(?:\.\d+)*\.?|[a-zđ]\)|[IVX]+\.)\s")
_LINE_CLOSED = re.compile(r"[.;:!?](?=[ \t]*\n)")      # a sentence that ends its line ends its item
# a heading that names who acts ("Phòng Thi đua khen thưởng", "Các phòng chuyên môn thuộc Sở, Thủ trưởng …")
_NAMES_UNIT = re.compile(r"\b(phong|so|ban|van phong|ubnd|uy ban|don vi|trung tam|thu truong|co quan|cong thong tin)\b", re.I)


def enumerates(text: str) -> bool:
    """The text lists items itself: "(1) … (2) …", "a) … b) …"."""
    return len(re.findall(r"(?:^|[\s:;.,])\(?(?:[1-9]|[a-đ])\)\s", text)) >= 2


def _short(s: str, n: int) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= n else s[: n - 1].rsplit(" ", 1)[0] + "…"


def _with_unit(value: str, unit: str) -> str:
    """A bare figure with its unit column ("90" and "%" → "90%", "5" and "Sàn dữ liệu" → "5 sàn dữ liệu")."""
    unit = re.sub(r"\s+", " ", unit or "").strip()
    if not unit or not re.fullmatch(r"[≥≤<>~]?\s*\d[\d.,]*", value.strip()):
        return value
    if unit.startswith("%"):
        return f"{value.strip()}{unit}"
    return f"{value.strip()} {unit[:1].lower() + unit[1:] if not unit[:2].isupper() else unit}"
