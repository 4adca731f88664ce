"""The read-side entry point shared by the CLI, the HTTP API and the evaluation:
question → analysis → hybrid retrieval → evidence units → cited answer (or abstention).

An :class:`Engine` holds the embedder and the live index snapshot; when a writer swaps in
a new generation the next request opens it (a snapshot already in use stays valid).
"""
from __future__ import annotations

import contextvars
import re
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from index import text as vt
from index.deadlines import normalize_deadline
from index.errors import BadQuestion
from index.reader import IndexSnapshot, open_index
from index.store import current_token
from rag.answer import ABSTAIN_MESSAGE, Composer, Thresholds, enumerates, plan_label
from rag.abstain import (acting_units, answerable_units, appendix_units, asks_state_of_plans, cited_kind,
                         contradicts_quantity, foreign_documents, foreign_issuer, foreign_kind, foreign_subject,
                         gives_asked_detail, missing_appendix, naming_units, object_missing, person_missing,
                         placed_units, same_task, stated_text, type_mismatch, unknown_names, unknown_units,
                         unknown_years)
from rag.llm import chat_model_from_settings, rephrase
from rag.evidence import (Matcher, Unit, candidate_docs, in_named_section, score_units, table_units,
                          units_from_hits)
from rag.query import (Query, analyse, asks_confirmation, asks_duty, asks_funding, asks_source, asks_tasks,
                       doc_year, document_names)
from rag.spelling import speller
from rag.structure import in_named_part, structure_lines
from rag.retrieve import Weights, filter_mask, hybrid_search
from rag.types import Answer, Hit

TASK_INTENTS = ("who", "who_partner", "when", "result")
_PINNED: contextvars.ContextVar = contextvars.ContextVar("planqa_request_snapshot", default=None)


_SHORT_SECTION = 6        # items of a section short enough to complete its title's match
# "gồm những nhóm nào", "được chia thành những tiểu mục nào": the parts of a section, by title
_ASKS_PARTS = re.compile(r"\b(?:gom|co|chia (?:thanh|lam)) (?:nhung|cac|may) (?:nhom|tieu muc|phan|muc)"
                         r"(?: nhiem vu| noi dung)?(?: (?:lon|chinh))? nao\b")
_BULLET = re.compile(r"^[-+•–]\s+")
# a plan's funding section: "KINH PHÍ THỰC HIỆN", "IV. Kinh phí thực hiện", "Về kinh phí thực hiện"
_FUNDING_TITLE = re.compile(r"^(?:[ivx\d]+[.)]?\s*)?(?:ve |nguon )?kinh phi\b")


class Engine:
    def __init__(self, home: Path, embedder=None, weights: Weights | None = None,
                 thresholds: Thresholds | None = None, max_question_chars: int = 1000, llm=None):
        self.home = Path(home)
        self._embedder = embedder
        self.weights = weights or Weights()
        self.thresholds = thresholds or Thresholds()
        self.max_question_chars = max_question_chars
        self._snap: IndexSnapshot | None = None
        self._token = ""
        self._lock = threading.Lock()
        self._llm = llm          # a LangChain chat model; None → from PLANQA_LLM_URL, if set

    # ------------------------------------------------------------ resources

    @property
    def embedder(self):
        if self._embedder is None:
            from index.embedding import load_embedder
            self._embedder = load_embedder(self.home)
        return self._embedder

    @property
    def llm(self):
        if self._llm is None:
            self._llm = chat_model_from_settings() or False
        return self._llm or None

    def model_info(self) -> dict:
        e = self.embedder
        return {"name": e.name, "dim": e.dim, "fingerprint": e.fingerprint}

    def snapshot(self) -> IndexSnapshot:
        """The live generation, reopened only when ``CURRENT`` changed (inside
        :meth:`compose`: the snapshot of the request being answered)."""
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] is self:
            return pinned[1]
        token = current_token(self.home)
        if self._snap is None or token != self._token:
            with self._lock:
                if self._snap is None or token != self._token:
                    self._snap = open_index(self.home, self.model_info())
                    self._token = self._snap.name
        return self._snap

    # ------------------------------------------------------------ search

    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise BadQuestion("Câu hỏi trống / the question is empty")
        if len(question) > self.max_question_chars:
            raise BadQuestion(f"Câu hỏi quá dài ({len(question)} ký tự, tối đa {self.max_question_chars}) / "
                              f"question too long (max {self.max_question_chars} characters)")
        if not any(ch.isalnum() for ch in question):
            raise BadQuestion("Câu hỏi không có chữ hoặc số / the question has no letters or digits")
        return question.strip()

    def search(self, query: str, k: int = 10, filters: dict | None = None,
               methods: tuple[str, ...] = ("bm25_word", "bm25_fold", "dense"), q: Query | None = None,
               snap: IndexSnapshot | None = None) -> list[Hit]:
        query = self._check(query)
        snap = snap or self.snapshot()
        q = q or analyse(query, snap.documents, document_names(snap), speller(snap))
        mask = filter_mask(snap, filters)
        repaired = q.text if q.typed and q.text != q.typed else query      # typos repaired
        qvec = self.embedder.encode_queries([repaired])[0] if "dense" in methods else None
        return hybrid_search(snap, q.search_text or query, qvec, k=k, weights=self.weights, mask=mask,
                             folded_only=not q.has_diacritics, methods=methods)

    # ------------------------------------------------------------ ask

    def ask(self, question: str, filters: dict | None = None) -> Answer:
        t0 = time.perf_counter()
        question = self._check(question)
        snap = self.snapshot()
        q = analyse(question, snap.documents, document_names(snap), speller(snap))
        t1 = time.perf_counter()
        scope_filters = dict(filters or {})
        if q.scope and not scope_filters.get("doc_id"):
            scope_filters["doc_id"] = q.scope
            if q.parts:         # "Kết luận 69-KL/TW …" inside a compilation file: that part only
                scope_filters["parts"] = q.parts
        # the same snapshot end to end: a generation swapped in meanwhile must not mix in
        hits = self.search(question, k=30, filters=scope_filters, q=q, snap=snap)
        t2 = time.perf_counter()
        answer = self.compose(snap, q, hits)
        if self.llm is not None:
            answer = rephrase(answer, self.llm)
        t3 = time.perf_counter()
        answer.timings_ms = {"analyse": _ms(t0, t1), "retrieve": _ms(t1, t2), "answer": _ms(t2, t3),
                             "total": _ms(t0, t3)}
        return answer

    def compose(self, snap: IndexSnapshot, q: Query, hits: list[Hit]) -> Answer:
        # helpers below that call self.snapshot() get this request's snapshot, never a
        # generation a writer swapped in meanwhile (that would mix two indexes: torn answers)
        token = _PINNED.set((self, snap))
        try:
            return self._compose(snap, q, hits)
        finally:
            _PINNED.reset(token)

    def _compose(self, snap: IndexSnapshot, q: Query, hits: list[Hit]) -> Answer:
        units = units_from_hits(snap, hits)
        if any(i in q.intents for i in (*TASK_INTENTS, "number", "list")):
            units += table_units(snap, candidate_docs(q, hits), units)
        if q.parts:         # of a compilation file, only the part the question names
            units = [u for u in units if _in_named_part(q, u)]
        units = score_units(snap, q, units)
        units = in_named_section(q, units)     # "Theo phần Yêu cầu …": only what that part says
        comp = Composer(snap, q, self.thresholds)
        base = Answer(question=q.typed or q.text, answer="", abstained=False, id=uuid.uuid4().hex[:16],
                      intents=q.intents, scope=q.scope)
        base.evidence = [{"doc_id": h.doc_id, "chunk_id": h.chunk_id, "kind": h.kind, "section": " > ".join(h.section_path),
                          "score": round(h.score, 5), "scores": h.scores, "text": h.text} for h in hits[:10]]
        unknown = unknown_names(q.text, snap) + unknown_units(q.text, snap, candidate_docs(q, hits, n=5)) \
            + unknown_years(q.text, snap, q.scope or list(snap.primary_documents()))
        issuer = foreign_issuer(q.text, snap.documents)
        if issuer:          # "Theo kế hoạch của Sở Khoa học và Công nghệ …": a plan not loaded
            unknown.append(issuer)
        subject = foreign_subject(q.folded, snap) if "meta" not in q.intents else ""
        if subject:         # "Kế hoạch số 02-KH/BCĐTW xác định …": a document the plans only cite
            unknown.append(subject)
        appendix = missing_appendix(q.folded, snap, q.scope)
        if appendix:
            unknown.append(appendix)

        if not unknown:     # "Phụ lục 2 có tên là gì / giao bao nhiêu nhiệm vụ": the plan's structure
            lines = structure_lines(snap, q, hits, comp.cite)
            if lines:
                return self._finish(base, comp, lines, confidence=1.0)
        # a plan named by a number that is not loaded: its header is not ours to quote, only
        # a sentence that names that document can say its date or signer
        foreign = foreign_documents(q.folded, snap.documents) if "meta" in q.intents else []
        kind = foreign_kind(q.folded, [snap.documents[d] for d in (q.scope or snap.primary_documents())]) \
            if "meta" in q.intents and not foreign else ""
        dated = re.search(r"\bngay\b(?!\s*\d)|khi nao|bao gio", q.folded)     # a date of that document is asked
        cited = False
        if kind:            # "Quyết định thành lập … ký ngày nào?" of a plan's Ban: not the plan's header
            units = naming_units(units, [rf"\b{kind}\b"], dated_within=60)
        elif "meta" in q.intents and not foreign and (named := cited_kind(q.folded)):
            # "… căn cứ nghị định nào / thực hiện kế hoạch số mấy": a document the plan cites,
            # named by text of the plan (else the plan's header is what the question is about)
            naming = naming_units(units, [rf"\b{named}\b (so )?\d"], dated_within=60 if dated else None)
            if naming:
                units, cited = naming, True
        if "meta" in q.intents and not unknown and not foreign and not kind and not cited:
            lines = comp.meta_lines(self._meta_docs(snap, q, hits))
            # "Chủ tịch HĐND xã, nơi nhận kế hoạch, là ai": the header names the recipient, not its holder
            if lines and not person_missing(q.folded, " ".join(lines)):
                return self._finish(base, comp, lines, confidence=1.0)
            if not lines and comp.blank_fields:     # "… mang số bao nhiêu" of a draft's "Số: /KH-SNV"
                return self._abstain(base, snap, hits, units)
        if foreign:
            # "… ban hành ngày nào": the date must follow that number ("số 31-KH/TU ngày 14/02/2026")
            units = naming_units(units, [rf"\b{n}\s*[/-]" for n in foreign], dated_within=40 if dated else None)
        # only evidence that can answer the question's type competes (a 2025 figure never
        # stands in for a 2030 one; a deadline question needs a time)
        best = max((u.match for u in units), default=0.0)
        units = answerable_units(q, units, {d: doc_year(snap.documents[d]) for d in {u.doc_id for u in units}})
        units = acting_units(q.text, units, snap.documents)
        units = placed_units(q.text, units, snap.documents)
        units = appendix_units(q.folded, units, snap, q.scope)
        if max((u.match for u in units), default=0.0) < self.thresholds.filtered * best:
            units = []          # what the question is about cannot answer it; a weaker match is about something else
        chosen = [] if unknown else self.select(q, units)
        if not chosen and (foreign and dated or cited) and units and not unknown:
            # "Nghị quyết 71/NQ-CP … ban hành ngày nào": a sentence dating that very number
            # answers, however little else of the question it shares; so does one naming the kind
            # of document the plan implements ("thực hiện kế hoạch số mấy của UBND tỉnh")
            chosen = units[:1]
        if chosen and type_mismatch(q.folded, " ".join(stated_text(u) for u in chosen)):
            # the same passage as another kind of unit of that plan (the appendix row with the figure,
            # beside the body sentence without it) answers instead if it gives what is asked
            first = chosen[0]
            chosen = [u for u in units if u.match >= first.match and u.doc_id == first.doc_id
                      and u.kind != first.kind and not type_mismatch(q.folded, stated_text(u))][:1]
            if not chosen and q.intents == ["when"]:
                # "báo cáo … trước ngày nào", "khi nào … hơn 30% …": of that plan's prose, the best
                # sentence that gives the day or states the figure the rows lack
                chosen = [u for u in units if u.doc_id == first.doc_id and u.kind == "sentence"
                          and u.typed_match >= self.thresholds.abstain
                          and not type_mismatch(q.folded, stated_text(u))][:1]
        if chosen and set(q.intents) <= {"who", "who_partner", "when", "meta"} \
                and object_missing(q.folded, " ".join(stated_text(u) for u in chosen)):
            # "ai chủ trì xây dựng khu công nghệ thông tin tập trung": a thing no row builds;
            # "Quyết định thành lập Ủy ban … ký ngày nào": a body no sentence sets up
            chosen = []
        if chosen and asks_state_of_plans(q.folded, chosen, snap.documents):
            chosen = []         # "đã thành lập xong … chưa": a plan says what is to be done, not what was
        if not chosen and cited and not unknown:      # no sentence names the cited document well: the header
            lines = comp.meta_lines(self._meta_docs(snap, q, hits))
            if lines:
                return self._finish(base, comp, lines, confidence=1.0)
        if not chosen:
            return self._abstain(base, snap, hits, units)
        chosen = _once(snap, chosen)
        # what a plan says of a document it cites is its text naming it, not the row's lead and deadline
        lines = [comp.sentence_line(u) if (foreign or cited) and u.kind == "task" else comp.line(u) for u in chosen]
        if len({u.doc_id for u in chosen}) > 1:
            lines = [f"{plan_label(snap.documents[u.doc_id], u.start)}: {ln}" for u, ln in zip(chosen, lines)]
        return self._finish(base, comp, lines, confidence=chosen[0].match)

    def select(self, q: Query, units: list[Unit]) -> list[Unit]:
        """The unit(s) to answer from, best first; [] means abstain."""
        th = self.thresholds
        floor = th.confirm if asks_confirmation(q.folded) else th.abstain_open if q.intents == ["open"] else th.abstain
        due = _rows_due(q, units) if "list" in q.intents else []
        if due:         # "những nhiệm vụ nào có thời hạn Quý IV/2026": the rows due then, however they match
            return due
        if asks_funding(q.folded) and q.intents[0] in ("list", "open"):
            sources = self._funding_sources(q)
            if sources:     # however the question words it ("lấy tiền ở đâu"), the plans' funding sections
                return sources
        if "list" in q.intents and _ASKS_PARTS.search(q.folded):
            titles = self._subsection_titles(q, units)
            if titles:      # the section's own title matches the question: its parts' titles answer
                return titles
        if q.intents[0] == "who" and _IN_PART.search(q.folded):
            # "Trong phần phát triển nguồn nhân lực …, hai đơn vị nào được giao chủ trì": that part's
            # sub-sections headed by a unit ("4.1. Phòng Công chức viên chức chủ trì tham mưu")
            heads, asked = [], []
            for u in self._subsection_titles(q, units):
                name, role = _unit_heading(u.text)
                if name:
                    heads.append(u)
                    if role and role in q.folded:
                        asked.append(u)     # "… được giao chủ trì tham mưu": its heading says that role
            if heads:
                return asked or heads
        # the best unit must match as typed too: "Quỹ phát triển …" is not answered by "quy trình …"
        above = bool(units) and units[0].typed_match >= floor
        if "list" in q.intents and asks_tasks(q.folded):
            # "Kế hoạch giao Văn phòng Sở những nhiệm vụ gì": the rows it leads, else the sections it
            # heads (not "… mà Phòng X xây dựng gồm những kỹ năng gì": the items of one thing it does)
            named = (_tasks_of_named_unit(q, units) if above else []) or self._items_of_named_unit(q, floor)
            if named:
                return named
        elif q.intents[0] == "open" and asks_duty(q.folded):
            # "Văn phòng Sở có vai trò gì đối với Ban Chỉ đạo": the items of the sections it heads that say it
            items = self._items_of_named_unit(q, floor)
            if items:
                best = sorted(items, key=lambda u: -u.match)
                best = [u for u in best[:3] if u.match >= th.duty_item * best[0].match]
                return sorted(best, key=lambda u: (u.doc_id, u.start))
        if not above:
            return []
        wanted = _preferred_kinds(q)
        pool = [u for u in units if u.kind in wanted and u.match >= th.task] or units
        if wanted[0] == "sentence":
            # prose and a row matching alike: the question asks what prose says (a purpose, a
            # condition), which a row's cells cut
            tied = next((u for u in pool[1:] if abs(u.match - pool[0].match) > 1e-6 or u.kind == "sentence"), None)
            if pool[0].kind == "task" and tied is not None and tied.kind == "sentence" \
                    and abs(tied.match - pool[0].match) <= 1e-6:
                pool = [tied] + [u for u in pool if u is not tied]
        if wanted[0] in ("task", "indicator"):
            # a table row says who/when/how much explicitly: prefer it unless prose matches clearly better
            rows = [u for u in pool if u.kind == wanted[0]]
            if rows and rows[0].match >= pool[0].match - th.row_margin:
                pool = rows + [u for u in pool if u.kind != wanted[0]]
        if "list" in q.intents:
            if pool[0].kind == "task" and enumerates(pool[0].record.get("content", "")):
                return [pool[0]]        # one row that lists the items itself answers alone
            items = self._section_items(q, units)
            return [] if items is None else items or _list_units(pool, th.list_item)
        best = pool[0]
        picks = [best]
        if not q.scope:
            # "who": another plan's row naming its unit for a task matched as well as the best one
            other_floor = min(th.other_plan_floor_who, best.match) if q.intents[0] == "who" else th.other_plan_floor
            # a plan joining must give what is asked as well as the best does ("bao nhiêu cán bộ"
            # is not answered by "50% cán bộ …")
            best_mismatch = type_mismatch(q.folded, stated_text(best))
            for u in _closest_first(pool[1:], best, th.near_tie):
                if u.doc_id not in {p.doc_id for p in picks} and u.kind in wanted[:2] \
                        and gives_asked_detail(u, q) and same_task(q.folded, best, u) \
                        and not (type_mismatch(q.folded, stated_text(u)) and not best_mismatch) \
                        and (u.match >= max(other_floor, th.other_plan * best.match)
                             # a passage one plan copies from another answers for both however
                             # weakly the question words it, if it clears the floor
                             or u.typed_match >= floor and u.match >= th.other_plan * best.match
                             and copies(best, u)) \
                        and not (len(picks) > 1 and _ties(picks[1], best) and not _ties(u, best)):
                    # two plans stating it exactly alike: one stating it less well is another task
                    picks.append(u)
                if len(picks) >= 3:
                    break
        return picks

    def _best_section(self, q: Query, units: list[Unit], m: Matcher | None = None) -> tuple[tuple, float]:
        """(doc id, section path, title) of the section whose heading (at any level) matches the
        question best, and that match; (None, 0.0) without headings. ``m``: the caller's matcher."""
        m = m or Matcher(self.snapshot(), q)
        best, best_match = None, 0.0
        for u in units[:40]:
            if u.kind != "sentence" or not u.heading:
                continue
            levels = [h.strip() for h in u.heading.split("›")[1:]]
            for depth, title in enumerate(levels[:len(u.section_path)]):
                match = m.coverage(title)
                if match > best_match:
                    best, best_match = (u.doc_id, u.section_path[:depth + 1], title), match
        return best, best_match

    def _subsection_titles(self, q: Query, units: list[Unit]) -> list[Unit]:
        """"Phần … gồm những nhóm nào": the titles of the sub-sections of the section the
        question names, each quoted from its heading line."""
        snap = self.snapshot()
        best, best_match = self._best_section(q, units)
        if best is None or best_match < self.thresholds.abstain:
            return []
        doc_id, prefix, _ = best
        c, text = snap.chunks, snap.document_text(doc_id)
        out, seen = [], set()
        for i in np.flatnonzero(snap.rows_of_docs([doc_id])):
            path = c.section_paths[i]
            if len(path) <= len(prefix) or path[:len(prefix)] != prefix or tuple(path[:len(prefix) + 1]) in seen:
                continue
            seen.add(tuple(path[:len(prefix) + 1]))
            title = c.headings[i].split("›")[len(prefix) + 1].strip().rstrip("…").strip()
            at = text.rfind(title, 0, c.starts[i] + len(title))
            if len(title) < 4 or at < 0:
                return []       # a title not found as written: no quote to cite
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            out.append(Unit("sentence", doc_id, start, end, text[start:end].strip(), list(path[:len(prefix) + 1]),
                            heading=c.headings[i], match=best_match))
        return out if len(out) >= 2 else []

    def _section_items(self, q: Query, units: list[Unit]) -> list[Unit] | None:
        """For "which ones" questions: the items of the section whose heading (at any level)
        matches the question best — its sentences and its sub-sections' sentences. None when
        they count what the question counts with other numbers (its premise is false)."""
        snap = self.snapshot()
        m = Matcher(snap, q)
        best, best_match = self._best_section(q, units, m)
        if best is None or best_match < self.thresholds.section_title:
            return []
        doc_id, prefix, title = best
        c = snap.chunks
        rows = [i for i in _text_rows(snap, [doc_id]) if c.section_paths[i][:len(prefix)] == prefix]
        items = [u for u in units_from_hits(snap, _text_hits(snap, rows)) if not _is_heading_only(u, title)]
        if best_match < self.thresholds.abstain:
            # "Kinh phí … lấy từ những nguồn nào" under "KINH PHÍ THỰC HIỆN": the title names the
            # topic, a short section's items say the rest
            if len(items) > _SHORT_SECTION:
                return []
            best_match = m.coverage(" ".join([title, *(u.text for u in items)]))
            if best_match < self.thresholds.abstain:
                return []
        if contradicts_quantity(" ".join(u.text for u in items), q.folded):
            return None     # "05 nhiệm vụ quá hạn là những nhiệm vụ nào" of a section counting 02: a false premise
        for u in items:
            u.match = best_match
        return sorted(items, key=lambda u: u.start)[:8]

    def _items_of_named_unit(self, q: Query, floor: float, most: int = 10) -> list[Unit]:
        """"Kế hoạch giao Văn phòng Sở những nhiệm vụ gì": the items of the sections whose heading
        is the unit the question names ("3.2. Văn phòng Sở", "Giao Văn phòng Sở", "2. Văn phòng
        Sở chủ trì tham mưu"), in the plan(s) in scope, in reading order; [] unless one of them,
        read with its headings, matches the question to ``floor`` (what else it asks is there)."""
        snap = self.snapshot()
        c = snap.chunks
        asked = " " + re.sub(r"[^\w]+", " ", q.folded) + " "
        rows = []
        for i in _text_rows(snap, q.scope or snap.primary_documents()):
            name = _heading_unit(c.headings[i].split("›")[-1].strip().rstrip("…").strip())
            if name and f" {name} " in asked and f" voi {name} " not in asked:
                rows.append(i)
        items, closed = [], set()
        for u in sorted(units_from_hits(snap, _text_hits(snap, rows)), key=lambda u: (u.doc_id, u.start, -u.end)):
            if _CLOSING.match(vt.fold(u.text).strip()):
                closed.add(u.doc_id)        # "Trên đây là Kế hoạch …": the plan's closing words, not the section's
            if u.doc_id in closed or _is_heading_only(u, u.heading.split("›")[-1]) \
                    or items and items[-1].doc_id == u.doc_id and u.start < items[-1].end:
                continue    # a sentence read twice (from two overlapping chunks) is listed once
            items.append(u)
        m = Matcher(snap, q)
        for u in items:
            u.match = m.coverage(f"{u.heading} {u.text}")
        return items[:most] if items and max(u.match for u in items) >= floor else []

    def _funding_sources(self, q: Query) -> list[Unit]:
        """The sentences naming a source ("nguồn …") in the funding section ("KINH PHÍ THỰC HIỆN",
        "IV. Kinh phí thực hiện") of the plan(s) in scope, or of every plan when none is named."""
        snap = self.snapshot()
        c = snap.chunks
        rows = [i for i in _text_rows(snap, q.scope or snap.primary_documents())
                if any(_FUNDING_TITLE.match(vt.fold(h).strip()) for h in c.headings[i].split("›")[1:])]
        items = [u for u in units_from_hits(snap, _text_hits(snap, rows)) if re.search(r"\bnguon\b", vt.fold(u.text))]
        return sorted(items, key=lambda u: (u.doc_id, u.start))[:8]

    def _meta_docs(self, snap: IndexSnapshot, q: Query, hits: list[Hit]) -> list[str]:
        if q.scope:
            if len(q.scope) == 1 or re.search(r"\b(cac|nhung|moi) (ke hoach|van ban)\b", q.folded):
                return q.scope
            # "Kế hoạch … của Sở Nội vụ có số hiệu là gì?" asks about one plan: of the
            # plans the scope allows, the one retrieval ranks first
            ranked = [h.doc_id for h in hits if h.doc_id in q.scope]
            return ranked[:1] or q.scope[:1]
        primaries = list(snap.primary_documents())
        if len(primaries) <= 1:
            return primaries
        top = [h.doc_id for h in hits[:3]]
        return list(dict.fromkeys(top))[:1] if top else primaries[:1]

    def _finish(self, base: Answer, comp: Composer, lines: list[str], confidence: float) -> Answer:
        # a quoted list item keeps its text, not its own bullet ("- - Phát động …")
        base.answer = lines[0] if len(lines) == 1 else "\n".join(f"- {_BULLET.sub('', ln)}" for ln in lines)
        base.citations = comp.citations
        base.confidence = confidence
        return base

    def _abstain(self, base: Answer, snap: IndexSnapshot, hits: list[Hit], units: list[Unit]) -> Answer:
        close = {}
        for h in hits[:5]:      # the closest passage of each plan names it (or the part of a compilation)
            close.setdefault(h.doc_id, h.start)
        names = "; ".join(plan_label(snap.documents[d], at) for d, at in list(close.items())[:3])
        n = len(snap.primary_documents())
        base.answer = f"{ABSTAIN_MESSAGE} Đã tìm trong {n} kế hoạch" + (f"; gần nhất: {names}." if names else ".")
        base.abstained = True
        base.confidence = units[0].match if units else 0.0
        return base


def _in_named_part(q: Query, u: Unit) -> bool:
    """Whether ``u`` lies in a part of a compilation file the question names (or its file has none named)."""
    return u.doc_id not in q.parts or any(a <= u.start < b for a, b in q.parts[u.doc_id])


def _once(snap: IndexSnapshot, units: list[Unit]) -> list[Unit]:
    """The units without a repeat of the same document's same passage (a compilation file
    restating a loaded plan), first kept."""
    seen: set[tuple[str, str]] = set()
    out = []
    for u in units:
        key = (plan_label(snap.documents[u.doc_id], u.start), vt.compact(u.text))
        if key not in seen:
            seen.add(key)
            out.append(u)
    return out


_HOW_OFTEN = re.compile(r"\b(?:dinh ky (?:nao|bao lau|may thang)|bao lau (?:mot|1) lan"
                        r"|(?:may|bao nhieu) lan (?:mot|moi|1) (?:nam|quy|thang))\b")


def _overlap(a: Unit, b: Unit) -> float:
    """Jaccard overlap of two units' syllables."""
    x, y = set(vt.syllables(vt.fold(a.text))), set(vt.syllables(vt.fold(b.text)))
    return len(x & y) / len(x | y) if x and y else 0.0


def copies(a: Unit, b: Unit, share: float = 0.7) -> bool:
    """Two plans' units are one text copied ("Báo cáo tiến độ … hàng tháng trước ngày 20 …" in
    both): most of their syllables are the same (Jaccard ≥ ``share``)."""
    return _overlap(a, b) >= share


def _closest_first(units: list[Unit], best: Unit, near: float) -> list[Unit]:
    """``units`` in their order, except that those of one plan matching the question within
    ``near`` of each other come closest to ``best``'s wording first: of two rows of another
    plan that match alike, the one that words the task as the best plan does is that task there
    ("Bố trí cán bộ … đảm bảo ít nhất 01 cán bộ chuyên trách", not "Xây dựng cơ chế chính sách
    bảo đảm … ít nhất một cán bộ")."""
    out: list[Unit] = []
    for u in units:
        k = len(out)
        while k and out[k - 1].doc_id == u.doc_id and out[k - 1].match - u.match <= near \
                and _overlap(u, best) > _overlap(out[k - 1], best):
            k -= 1
        out.insert(k, u)
    return out


def _preferred_kinds(q: Query) -> tuple[str, ...]:
    if _HOW_OFTEN.search(q.folded):
        # "báo cáo … theo định kỳ nào": how often is said in prose (the organisation part), a
        # row's deadline says when one task is due
        return ("sentence", "task", "indicator", "meta")
    if "number" in q.intents:
        return ("indicator", "sentence", "task")
    if any(i in q.intents for i in TASK_INTENTS) or "list" in q.intents or asks_source(q.folded):
        return ("task", "sentence")     # "… được cập nhật bổ sung từ văn bản nào": a row's note says it
    return ("sentence", "task", "indicator", "meta")


def _tasks_of_named_unit(q: Query, units: list[Unit]) -> list[Unit]:
    """"Which tasks does <unit> have?": the rows whose lead/main unit the question names."""
    from rapidfuzz import fuzz

    from index.text import compact
    out = []
    # "Phòng CCHC và Văn thư lưu trữ": the name with its abbreviations spelt out where they stand
    asked = vt.spell_out_abbreviations(q.folded)
    for u in units:
        if u.kind != "task":
            continue
        for unit_name in (u.record.get("lead", ""), u.record.get("main_unit", "")):
            name = compact(unit_name)
            if len(name) >= 8 and fuzz.partial_ratio(name, asked) >= 95 and len(name) <= len(asked):
                out.append(u)
                break
    # "… những nhiệm vụ nào trong Phụ lục 2 / trong nhóm … giao cho Văn phòng Sở": only that part's rows
    return sorted(in_named_part(q, out), key=lambda u: (u.doc_id, u.start))[:8] if out else []


# "… có thời hạn (hoàn thành) (ghi là) «Quý IV/2026»": the deadline the asked rows share
_DUE = re.compile(r"\b(?:thoi han|han|thoi gian hoan thanh)\b(?: hoan thanh)?(?: (?:la|ghi la|vao|trong))?"
                  r"\s*[\"“”'«]?(?P<when>[^?\"“”'»]{3,60})")


def _rows_due(q: Query, units: list[Unit], most: int = 10) -> list[Unit]:
    """"Những nhiệm vụ nào có thời hạn Quý IV/2026?": the task rows whose deadline cell says
    that time (compared normalized: "Quý IV/2026" = "quy 4/2026"); [] when the question names
    no such time, or so many rows share it (a bare year, "thường xuyên") that it filters nothing."""
    m = _DUE.search(q.folded)
    due = normalize_deadline(m.group("when")) if m else ""
    if due:
        rows = [u for u in units if u.kind == "task" and u.record.get("deadline") == due]
    else:       # "… nội dung nào triển khai sau khi tỉnh ban hành kế hoạch hoặc quyết định": a condition
        asked = set(vt.syllables(q.folded))     # a row's deadline cell states, every word of it asked
        rows = [u for u in units if u.kind == "task" and not u.record.get("deadline")
                and len(cell := vt.syllables(vt.fold(u.record.get("deadline_text") or "").lower())) >= 4
                and set(cell) <= asked]
    return sorted(rows, key=lambda u: (u.doc_id, u.start)) if len(rows) <= most else []


def _text_rows(snap: IndexSnapshot, doc_ids) -> list[int]:
    """The rows of these documents' text chunks, in index order."""
    return np.flatnonzero(snap.rows_of_docs(doc_ids) & snap.rows_of_kinds(["text"])).tolist()


def _text_hits(snap: IndexSnapshot, rows: list[int]) -> list[Hit]:
    """The text chunks at these rows of the index, as retrieval hits (score 0)."""
    c = snap.chunks
    return [Hit(i, c.ids[i], c.doc_ids[i], "text", c.section_paths[i], c.headings[i], c.texts[i], c.starts[i],
                c.ends[i], 0.0) for i in rows]


# a section heading that is a unit: "3.2. Văn phòng Sở", "1.2. Giao Văn phòng Sở", "Văn phòng Sở chủ trì
# tham mưu" (its number, "Giao" and a trailing role dropped)
_UNIT_HEADING = re.compile(r"^(?:[\divxlc]{1,4}[.)])*(?:\d{1,2}[.)])*\s*(?:giao\s+)?(?P<name>(?:phong|van phong|so|ban|trung tam"
                           r"|cac phong|cac don vi|thu truong)\b[^.:;]{0,60}?)\s*(?P<role>(?:chu tri|phoi hop)\b.*)?$")


# "trong phần …", "tại mục …": the question names the part of the plan it asks about
_IN_PART = re.compile(r"\b(?:trong|tai|o|thuoc) (?:phan|muc|nhom)\b")
_CLOSING = re.compile(r"tren day la\b")


def _unit_heading(title: str) -> tuple[str, str]:
    """(unit, role) a section heading names, folded: ("van phong so", "chu tri tham muu") for
    "4.2. Văn phòng Sở chủ trì tham mưu"; ("", "") when it is not a unit heading."""
    m = _UNIT_HEADING.match(re.sub(r"\s+", " ", vt.fold(title)).strip())
    name = re.sub(r"[^\w]+", " ", m.group("name")).strip() if m else ""
    if len(name) < 8 or len(name.split()) > 10:
        return "", ""
    return name, re.sub(r"[^\w]+", " ", m.group("role") or "").strip()


def _heading_unit(title: str) -> str:
    """The unit a section heading names, folded, or "" when it is not a unit heading."""
    return _unit_heading(title)[0]


def _ties(u: Unit, best: Unit) -> bool:
    """``u`` matches the question exactly as well as ``best``."""
    return abs(u.match - best.match) <= 1e-6


def _is_heading_only(u: Unit, heading: str) -> bool:
    from index.text import compact
    return compact(u.text) in compact(heading)


def _list_units(pool: list[Unit], ratio: float) -> list[Unit]:
    best = pool[0]
    if best.kind == "task":
        group = best.record.get("group")
        same = [u for u in pool if u.kind == "task" and u.doc_id == best.doc_id and u.record.get("group") == group]
        return same[:8]
    same = [u for u in pool if u.doc_id == best.doc_id and u.section_path == best.section_path and u.kind == best.kind
            and (u is best or u.match >= ratio * best.match)]
    return sorted(same[:8], key=lambda u: u.start)


def _ms(a: float, b: float) -> float:
    return round((b - a) * 1000, 2)


__all__ = ["Engine"]
