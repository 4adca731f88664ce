"""Question analysis: intents, scope (which plan), years, and the content terms to match.

Everything is matched on accent-folded text, so questions typed without diacritics are
understood the same way. Scope aliases are derived from each document's own metadata
(issuer, number, date, title) — never from a list of known plans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from index import text as vt

# "gửi đến những cơ quan nào / (b/c) / nơi nhận": who the plan is sent to (its "Nơi nhận" block)
RECIPIENTS_Q = (r"\bnoi nhan\b|\(b/c\)|\b(ke hoach|van ban)\b[^?]{0,100}\b(duoc )?gui (bao cao |b/c )?"
                r"(den|toi|cho|len)\b")
# "bản lưu / được lưu ở đâu / mục Lưu": where the issuing office files its copies ("Lưu: VT, VP.")
ARCHIVE_Q = r"\b(ban luu|muc luu|luu (o|tai) (nhung |cac )?(dau|bo phan|noi|don vi|phong)|duoc luu (o|tai)\b)"
# what a plan is issued on the basis of: "thực hiện / căn cứ / trên cơ sở / dựa trên <văn bản> nào"
BASED_ON = r"thuc hien|trien khai|can cu|cu the hoa|tren co so|dua tren|dua vao"
# "<unit> nào" asks who: "phòng nào", "bộ nào", "tổ đảng nào"
_WHO_NOUNS = "don vi|co quan|phong|bo phan|so|(?<!van )ban|noi|ben|bo|to|to dang|uy ban|hoi dong|cuc|(?<!giai )doan"
_OUTCOME_OF = r"(?! (?:giai quyet|xu ly)\b)"
INTENT_PATTERNS: dict[str, str] = {
    "meta": r"\bso hieu\b|\bso ky hieu\b|ky hieu|\bma hieu (van ban)?\b|\b(ngay|thang|nam) ban hanh\b"
            r"|\bban hanh (vao )?(?:(?:ngay|thang|nam)(?: may)?,? (?:va )?)*(ngay|thang|nam|khi|thoi diem|thoi gian) ?nao\b"
            r"|\b(ke hoach|kh|phu luc|van ban)\b[^?]{0,60}\bban hanh (vao )?(ngay|thang|nam) (may|bao nhieu)\b"
            r"|\bai ky\b|\bnguoi ky\b|\bky (cac |nhung )?(ban hanh|ke hoach|van ban)\b|\bky (vao )?ngay (nao|may)\b"
            r"|\bmang so (may|bao nhieu|gi|nao)\b|\bchuc vu\b|\bco quan (nao )?(ban|phat) hanh\b"
            r"|\bdon vi (nao )?ban hanh\b|\bai ban hanh\b|\bla (van ban|ke hoach) cua (co quan|don vi) nao\b"
            r"|\btrich yeu\b|\bten (day du )?cua ke hoach\b"
            # "… được ban hành để thực hiện kế hoạch nào": the document the plan implements
            rf"|\b(?:{BASED_ON})\s+(?:vao\s+)?(?:cac |nhung )?(?:nghi quyet|ke hoach|quyet dinh"
            r"|nghi dinh|chi thi|chuong trinh|ket luan|thong tu|van ban)\s+(?:so\s+)?(?:nao|may|gi|bao nhieu)\b"
            r"|\bke hoach (nay )?(co )?so (bao nhieu|may|gi)\b|\bky boi\b|\bnoi ban hanh\b"
            # "số của kế hoạch" asks the number, "chủ quyền số của kế hoạch" is a topic
            r"|(?:(?<![a-z] )|(?<=biet )|(?<=hoi )|(?<=xem )|(?<=la ))so cua ke hoach\b"
            rf"|{RECIPIENTS_Q}|{ARCHIVE_Q}",
    "who_partner": r"\bphoi hop\b",
    "who": rf"\bai\b|\b({_WHO_NOUNS}) nao\b"
           r"|\bchu tri\b|\bphu trach\b|\bdau moi\b|\bgiao cho\b|\btrach nhiem\b|\bthuc hien chinh\b"
           r"|\btham muu\b|\bdon vi\b.*\bthuc hien\b|\bai (se )?(lam|thuc hien)\b|\bcon? quan nao\b"
           r"|\bai lo\b|\bdam nhan\b|\bdam nhiem\b",
    # "lúc nào", not "nhân / năng / động / hiệu / áp / nỗ lực nào", which fold alike
    "when": r"\bkhi nao\b|\bbao gio\b|\bthoi han\b|\bhan chot\b|\bhan\b|\bthoi gian\b"
            r"|(?<!nhan )(?<!nang )(?<!dong )(?<!hieu )(?<!ap )(?<!no )\bluc nao\b"
            r"|\b(nam|thang|quy) nao\b|\btien do\b|\bhoan thanh (vao|truoc|trong)\b|\bdeadline\b|\bmay gio\b"
            r"|\btruoc ngay\b|\bngay nao\b|\bdinh ky\b|\bthoi diem nao\b|\bden bao gio\b",
    # "kết quả giải quyết / xử lý TTHC" names a thing (the outcome of a procedure), it asks no result
    "result": rf"\bket qua\b{_OUTCOME_OF}|\bsan pham\b|\bdau ra\b|\bdu kien dat\b",
    "number": r"\bbao nhieu\b|\bty le\b|\bti le\b|\bchi tieu\b|\bmay phan tram\b|%|\bphan tram\b|\bmuc tieu\b.*\b(20\d\d)\b"
              r"|\bdat (muc(?! dich| tieu)|bao|tren|toi thieu)\b|\bit nhat\b|\btoi thieu\b|\bso luong\b",
    "list": r"\bgom (nhung|cac|co)\b|\bnhung (nhiem vu|noi dung|viec|gi|giai phap|chi tieu|nguon)\b|\bliet ke\b"
            r"|\bbao gom\b|\bcac (nhiem vu|noi dung|giai phap|nguon) nao\b|\btu nguon (kinh phi |von )?nao\b"
            r"|\bke ten\b|\bnhung nao\b|\bnhiem vu nao\b",
}
_COMPILED = {k: re.compile(v) for k, v in INTENT_PATTERNS.items()}
_REPORTED = r"\b(bao cao (so ket |tong ket )?)?ket qua (thuc hien|trien khai)\b"
_ASKS_WHO = rf"\bai\b|\b({_WHO_NOUNS}|cap|to chuc|luc luong) nao\b|\bai lo\b"
# "chịu trách nhiệm gì", "có vai trò gì", "được giao làm những gì": a unit's part asked, not a unit
_ASKS_DUTY = r"\b(?:trach nhiem|vai tro|nhiem vu|viec) (?:gi|nhung gi)\b|\blam (?:nhung )?gi\b"
# a list question asking for a unit's work: its tasks, duties, what it is given or does
_ASKS_TASKS = (r"\b(?:nhiem vu|cong viec|viec|noi dung|trach nhiem|hoat dong|giao|lam|tham gia|phu trach"
               r"|chu tri|thuc hien)\b")
_GIVEN_LEAD = r"\bdo [^?,]{2,60}? chu tri\b(?! (va|hay|hoac|,))"     # "do Bộ Công an chủ trì": a lead stated
# "ít nhất 01 cán bộ", "tối thiểu một cán bộ": a figure stated in the question
_GIVEN_FIGURE = r"\b(?:it nhat|toi thieu)\s+(?:\d[\d.,]*|(?:mot|hai|ba|bon|muoi)\b)"
_ASKS_NUMBER = re.sub(r"\|%\|", "|", INTENT_PATTERNS["number"])       # every number cue but a literal "%"

# Phrases and words that carry the question's form, not its topic (folded). Phrases are
# removed first, so "bao cao" (report) survives while "bao nhieu" (how much) does not.
STOP_PHRASES = sorted("""
don vi nao|co quan nao|phong nao|bo phan nao|so nao|ban nao|noi nao|ben nao|khi nao|bao gio|bao nhieu|nhu the nao|the nao
|thoi diem nao|dieu gi|loai gi|kieu gi|ra sao|lam sao|dam nhan|dam nhiem|lo viec|ai lo
|la gi|la ai|o dau|ve dau|ke hoach|chu tri|phoi hop|thuc hien chinh|tham muu|phu trach|dau moi|thoi han|han chot
|thoi gian hoan thanh|moc thoi gian|moc hoan thanh|moc nao|dat moc|thoi gian|hoan thanh|du kien|ket qua|san pham|mong doi|ty le|ti le|chi tieu|so hieu|ky hieu|ban hanh
|nguoi ky|chuc vu|gom nhung|bao gom|liet ke|nhung gi|cho biet|nhiem vu nao|nhung nhiem vu|trach nhiem|giao cho
|don vi|ngay nao|nam nao|thang nao|quy nao|nhu nao|ra sao|tai sao|vi sao|phai khong|co khong|duoc khong|yeu cau|de nghi|chiu trach nhiem
|xac dinh la|bao lau mot lan|may lan|bao nhieu lan|giu vai tro|dong vai tro|co vai tro|nham toi|nham den|nham vao
""".replace("\n", "").split("|"), key=len, reverse=True)
STOPWORDS = set("""
ai nao gi la cua va cac nhung cho voi trong theo ve tai den tu duoc do se da dang thi ma nhu co khong hay hoac
khi luc may the nay kia ay o tren duoi sau truoc ra vao len xuong mot lam can phai hoi xin biet toi chung ta
hien viec ky ngay nam thang deu muon
""".split())
# the context a phrase needs to be the question's form (a lookahead after it). Stop phrases
# that are a topic when followed otherwise: "kết quả giải quyết" is a topic; "giữ vai trò gì"
# asks the role ("giữ vai trò thường trực": it is stated).
_CONTEXT = {"ket qua": _OUTCOME_OF, **{p: r"(?! (?:gi|nao)\b)" for p in ("giu vai tro", "dong vai tro", "co vai tro")},
            # words that only frame what follows, never stop words alone: "trở thành" is "thành"
            # ("xây dựng Sở thành cơ quan …"), "đặt (ra) mục đích / mục tiêu" is "mục đích / mục tiêu"
            "tro": r"(?= thanh\b)", "dat": r"(?= (?:ra )?muc (?:dich|tieu)\b)",
            # "nộp báo cáo" is "báo cáo" (plans write "gửi báo cáo", "báo cáo … trước ngày")
            "nop": r"(?= (?:cac |nhung )?bao cao\b)",
            # "cùng tham gia / phối hợp": who else takes part ("cùng" as "together", never "cung cấp")
            "cung": r"(?= (?:tham gia|phoi hop)\b)",
            # "ngoài <đơn vị> (thì) còn ai / đơn vị nào …": the unit named is given, "ngoài" frames it
            "ngoai": r"(?= [^?]{3,80}\b(?:con|thi|cung)\b[^?]{0,40}\b(?:ai|nao|nhung)\b)"}
_FORM = [p.strip() for p in STOP_PHRASES if p.strip()]
_STOP_RX = re.compile(r"\b(?:" + "|".join(re.escape(p) + _CONTEXT.get(p, "")
                                          for p in _FORM + [w for w in _CONTEXT if w not in _FORM]) + r")\b")


def content_terms(folded: str) -> list[str]:
    """Topic syllables of a folded question: stop phrases, stopwords and small numbers removed."""
    return [s for s in vt.syllables(_STOP_RX.sub(" ", folded)) if s not in STOPWORDS
            and s not in vt.ABBREVIATIONS and not re.fullmatch(r"\d{1,2}|20\d\d", s)]


@dataclass
class Query:
    text: str
    folded: str
    intents: list[str]
    terms: list[str]                 # folded content syllables
    bigrams: list[str]               # folded content syllable pairs (adjacent in the question)
    years: list[str]
    scope: list[str] = field(default_factory=list)    # doc ids the question names
    has_diacritics: bool = True
    search_text: str = ""            # the question plus expanded abbreviations (for BM25)
    typed: str = ""                  # the question as typed, before typo repair (``text`` is repaired)
    toned: bool = False              # typed with accents enough (TONED_MIN_RATIO) to be read with its tones
    # doc id → spans of the parts of a compilation file the question names ("Kết luận 69-KL/TW")
    parts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


_YOU = r"(?:anh|chi|ban)(?:\s*/\s*(?:anh|chi|ban))?"
_COURTESY = re.compile(rf"^\s*(?:(?:{_YOU}\s+)?(?:(?:xin|vui long|lam on|de nghi)\s+)?cho\s+(?:(?:toi|minh|em|chung toi)\s+)?"
                       rf"(?:biet|hoi)|nho\s+{_YOU}\s+(?:xem giup|cho biet|giup)|(?:em|toi|minh)\s+(?:muon|can)\s+hoi"
                       r"|xin\s+hoi)\b\s*[,:]?\s*")


def without_courtesy(folded: str) -> str:
    """The question without its polite opening ("Anh/chị cho biết", "Cho tôi hỏi", "Xin cho biết",
    "Nhờ chị xem giúp", "Em muốn hỏi"): it names no topic."""
    return _COURTESY.sub("", folded, count=1)


def asks_progress(folded: str) -> bool:
    """"Tiến độ ra sao / tình hình thực hiện / đã hoàn thành chưa / đã thu hút được bao nhiêu": how
    far a task got."""
    return bool(re.search(r"\btien do\b|\btinh hinh\b|\btrang thai\b|\bket qua hien nay\b|\bden nay\b|\bthuc te\b"
                          r"|\bda (hoan thanh|thuc hien|xong)\b.*\bchua\b|\bqua han\b|\bdung han\b"
                          # "đã thu hút được bao nhiêu", "hiện đạt bao nhiêu": a figure reached so far
                          r"|\bda (?:[a-z]+ ){1,2}duoc (?:bao nhieu|may)\b|\b(?:hien|moi|da) dat (?:bao nhieu|may|duoc)\b",
                          folded))


def asks_source(folded: str) -> bool:
    """"Được cập nhật bổ sung từ văn bản nào / lấy từ kế hoạch nào / ghi chú gì": where a task
    row comes from (its Ghi chú cell), not what it is."""
    return bool(re.search(r"\bghi chu\b|\bcap nhat bo sung\b|\b(lay|bo sung|dua) (tu|theo)\b[^?]{0,40}\bnao\b"
                          r"|\btheo danh muc nao\b", folded))


# "kinh phí / tiền / nguồn vốn … lấy từ những nguồn nào / ở đâu / bố trí từ đâu": where a
# plan's money comes from, which its "Kinh phí thực hiện" section says
_MONEY = r"\b(?:kinh phi|tien|nguon von|von|ngan sach)\b"
_FROM_WHERE = (r"\b(?:(?:tu )?(?:nhung |cac )?nguon (?:von |kinh phi )?(?:nao|gi)|(?:tu|o) dau"
               r"|(?:lay|bo tri|huy dong|trich) tu (?:nhung |cac )?nguon)\b")


def asks_funding(folded: str) -> bool:
    """"Kinh phí thực hiện … lấy từ những nguồn nào", "Xã … lấy tiền ở đâu để triển khai …":
    the sources of a plan's funding."""
    return bool(re.search(_MONEY, folded) and re.search(_FROM_WHERE, folded))


def asks_duty(folded: str) -> bool:
    """"Phòng … chịu trách nhiệm gì", "Văn phòng Sở có vai trò gì đối với …": what a unit the
    question names must do."""
    return bool(re.search(_ASKS_DUTY, folded))


def asks_tasks(folded: str) -> bool:
    """"Kế hoạch giao Văn phòng Sở những nhiệm vụ gì": a unit's work asked, not the items of one
    thing it does ("… mà Phòng X xây dựng gồm những kỹ năng gì")."""
    return bool(re.search(_ASKS_TASKS, folded))


def asks_confirmation(folded: str) -> bool:
    """"Có phải … không / … có X không / … đúng không / … hay không": a claim the user wants
    confirmed."""
    return bool(re.search(r"\bco phai\b.*\bkhong\b|\b(dung|phai) (khong|chua)\s*\??\s*$|\bhay khong\b"
                          r"|\bco\b.*\bkhong\s*\??\s*$"
                          r"|\bco dung (la|khong)\b", folded))


# "Ngoài chế độ báo cáo định kỳ, …": an opening clause stating what is given, not what is asked
_BESIDES = re.compile(r"^\s*ngoai [^,?]{2,80},")


# "(đơn vị) phối hợp (với / là) ai": the "ai" asks the partners, not the lead
_PARTNER_WHO = re.compile(r"\bphoi hop (?:voi |la |gom )?(?:nhung )?ai\b")


def detect_intents(folded: str) -> list[str]:
    folded = _BESIDES.sub(" ", folded)
    found = [k for k, rx in _COMPILED.items() if rx.search(folded)]
    if "meta" in found:
        found = ["meta"] + [k for k in found if k in ("when",) and not re.search(r"ban hanh|ky", folded)]
    if "who_partner" in found and "who" in found and not re.search(
            r"chu tri|\bai\b|thuc hien chinh|phu trach", re.sub(_GIVEN_LEAD, " ", _PARTNER_WHO.sub(" ", folded))):
        found.remove("who")                 # "… do Bộ Công an chủ trì có những cơ quan nào phối hợp": the lead is given
    if "result" in found and not re.search(_COMPILED["result"], re.sub(_REPORTED, " ", folded)):
        found.remove("result")              # "báo cáo kết quả thực hiện … gửi khi nào": a report, not a result asked
        found = found or ["open"]
    if "who" in found and "when" in found and not re.search(_ASKS_WHO, folded):
        found.remove("who")                 # "Văn phòng Sở phải tham mưu … trước ngày nào": the unit is given
    if "who" in found and asks_duty(folded) and not re.search(_ASKS_WHO, folded):
        found.remove("who")                 # "phòng Hành chính - Quản trị chịu trách nhiệm gì": the unit is
        found = found or ["open"]           # given, what it must do is asked
    unstated = re.sub(_GIVEN_FIGURE, " ", folded)
    if "number" in found and (not _COMPILED["number"].search(unstated)
                              or len(found) > 1 and not re.search(_ASKS_NUMBER, unstated)):
        found.remove("number")              # "khi nào hoàn thành số hóa 100% …", "ai bố trí ít nhất 01 cán bộ":
                                            # the figure is given, not asked
    if not found:
        found = ["open"]
    return found


# a question typed with accents (at least this share of its letters marked) is read with its tones
TONED_MIN_RATIO = 0.15
# question words as they are toned; typed with accents, a word of the same letters and another tone
# asks nothing ("tiếng Hàn" is not "hạn", "não" is not "nào")
_TONED_QUESTION_WORDS = {"han": "hạn", "nao": "nào", "gi": "gì"}


def _not_question_words(text: str) -> str:
    """The text with each word that folds to a question word but is toned otherwise marked
    ("Hàn" → "Hàn_"), so that intent patterns read on the folded text pass it by. A word typed
    without its accents ("vào năm nao") is a question word still."""
    def mark(m: re.Match) -> str:
        w = m.group(0)
        asked = _TONED_QUESTION_WORDS.get(vt.fold(w).lower())
        return w if asked is None or w.lower() == asked or not vt.has_diacritics(w) else w + "_"
    return re.sub(r"[^\W\d_]+", mark, text)


def analyse(question: str, documents: dict[str, dict] | None = None,
            names: DocumentNames | None = None, speller=None) -> Query:
    """Parse a question into intents, scope and content terms. ``names``: the documents'
    names when the caller keeps them (``document_names(snapshot)``), else derived here;
    ``speller``: repairs typos first (``rag.spelling.speller(snapshot)``)."""
    typed = vt.spell_out_shorthand(vt.clean_inline(question).strip())
    text = speller.correct(typed) if speller else typed
    # upper-case "AI" is artificial intelligence, not "ai" (who)
    spelt = re.sub(r"\bAI\b", "trí tuệ nhân tạo", text)
    folded = vt.fold(spelt)
    toned = vt.diacritic_ratio(typed) >= TONED_MIN_RATIO
    intents = detect_intents(vt.fold(_not_question_words(spelt)) if toned else folded)
    scope: list[str] = []
    parts: dict[str, list[tuple[int, int]]] = {}
    topical = folded
    if documents:
        names = names or DocumentNames.of(documents)
        scope = detect_scope(folded, documents, names)
        if scope:
            topical = _strip_scope(folded, [(documents[d], names.aliases[d]) for d in scope])
            parts = named_parts(folded, {d: documents[d] for d in scope})
        else:
            # "… kế hoạch thực hiện Nghị quyết 57 về khoa học, công nghệ, …": a title several plans
            # share names a plan without saying which; a long restatement is not the topic either
            for meta in documents.values():
                topical = _strip_title(topical, meta, least=_UNSCOPED_TITLE_RUN,
                                       gap=_UNSCOPED_TITLE_GAP, numbers=True)
    topical = without_courtesy(topical)
    expanded = vt.expand_abbreviations(topical)
    syl = vt.syllables(expanded)
    content = content_terms(expanded)
    bigrams = [f"{a}_{b}" for a, b in zip(syl, syl[1:])]
    years = re.findall(r"\b(20\d\d)\b", folded)
    extra = expanded[len(topical):].strip()
    return Query(text, folded, intents, content, bigrams, years, scope, vt.has_diacritics(typed),
                 search_text=f"{text} {extra}".strip(), typed=typed, toned=toned, parts=parts)


def _strip_scope(folded: str, scoped: list[tuple[dict, list[tuple[str, float]]]]) -> str:
    """The question without the words that name its plan (they say which plan, not what).
    ``scoped``: (metadata, aliases) of each plan in scope."""
    out = folded
    done: set[str] = set()
    for meta, aliases in scoped:
        numbers = [vt.fold(n).replace(" ", "") for n in numbers_of(meta)]
        kinds = {"ke hoach", "kh"} | {vt.compact(m.get("doc_type") or "")
                                      for m in [meta, *(meta.get("parts") or ())]}
        kinds.discard("")
        for alias, _ in sorted(aliases, key=lambda a: -len(a[0])):
            if alias in done:       # removed already: a second pass cannot find it again
                continue
            done.add(alias)
            if alias.isdigit() and any(n.startswith(alias) for n in numbers):     # "03/nq-cp", not only "03"
                alias = rf"{alias}(?:\s*[/-]\s*[a-z]+(?:[/-][a-z]+)*)?"
                out = re.sub(rf"(?<![\w&/-]){alias}(?![\w&])", " ", out)
                continue
            # the plan's name names it once; named again it is what is asked about ("… đặt mục đích
            # xây dựng Sở Nội vụ thành cơ quan như thế nào")
            out = re.sub(rf"(?<![\w&/-]){re.escape(alias)}(?![\w&])", " ", out, count=1)
        out = _strip_title(out, meta)
        for kind in kinds:          # "Kế hoạch …", "Nghị quyết …" name the document, not the topic
            out = re.sub(rf"(?<![\w&/-]){re.escape(kind)}(?![\w&/-])", " ", out)
        out = _strip_implemented(out, meta)
    return re.sub(r"\s+", " ", out).strip()


_KIND_WORDS = {"kh", "hoach"}          # "KH …", "Kế hoạch …": where a restated title starts
_TITLE_FILLER = {"va", "ve", "cua"}
_TITLE_GAP = 6                          # title syllables a restatement may leave out between two words
_UNSCOPED_TITLE_RUN = 6                 # title syllables that name some plan when no plan is in scope
_UNSCOPED_TITLE_GAP = 14                # … which may leave out a cited resolution's date and issuer


def _strip_title(folded: str, meta: dict, least: int = 3, gap: int = _TITLE_GAP, numbers: bool = False) -> str:
    """"Theo KH phát triển KHCN, ĐMST và CĐS năm 2026 của …, …": the plan's title restated after
    "Kế hoạch / KH" names the plan, not the topic. A run of at least ``least`` title syllables
    (an abbreviation counts as the syllables it stands for), in the title's order with at most
    ``gap`` left out between two, right after the kind word, is removed. ``numbers``: a number
    also restates its symbol ("Nghị quyết 57" for "Nghị quyết số 57-NQ/TW")."""
    number = _number_of if numbers else str
    title = list(_title_syllables(meta.get("title") or "", numbers))
    if len(title) < 3:
        return folded
    spans = vt.syllable_spans(folded)
    words = [folded[a:b] for a, b in spans]
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i] not in _KIND_WORDS:
            i += 1
            continue
        j, pos, matched, last = i + 1, -1, 0, None
        while j < len(words):
            w = words[j]
            if w in _TITLE_FILLER:
                j += 1
                continue
            if pos < 0 and w == "nam" and j + 1 < len(words) and re.fullmatch(r"20\d\d", words[j + 1]):
                j += 2      # "KH năm 2026 về KHCN và CĐS": the plan's year put first
                continue
            parts = [number(p) for p in vt.ABBREVIATIONS.get(w, w).split()]
            at = _find_run(title, parts, pos + 1, gap if pos >= 0 else len(title))
            if at < 0:
                break
            pos, matched, last = at + len(parts) - 1, matched + len(parts), j
            j += 1
        if last is not None and matched >= least:
            cut.append((spans[i + 1][0], spans[last][1]))
        i = j if last is not None else i + 1
    for a, b in reversed(cut):
        folded = folded[:a] + " " + folded[b:]
    return folded


@lru_cache(maxsize=4096)
def _title_syllables(title: str, numbers: bool) -> tuple[str, ...]:
    """A title's syllables as a restatement is matched against them (every plan's title is
    read for every question that names no plan: once per title, not per question)."""
    number = _number_of if numbers else str
    return tuple(number(s) for s in vt.syllables(vt.compact(title)) if s not in _TITLE_FILLER)


def _number_of(syllable: str) -> str:
    """"57-nq/tw" → "57": a document's number stands for its full symbol."""
    return re.sub(r"^(\d+)[/-].*", r"\1", syllable)


def _find_run(seq: list[str], run: list[str], start: int, window: int) -> int:
    """Where ``run`` occurs in ``seq`` starting within ``window`` positions from ``start``, or -1."""
    for k in range(start, min(len(seq) - len(run), start + window) + 1):
        if seq[k:k + len(run)] == run:
            return k
    return -1


_CITED = re.compile(r"\b(?:nghi quyet|ke hoach(?: hanh dong)?|quyet dinh|chi thi)\s+(?:so\s+)?(\d+)\b")


def _strip_implemented(folded: str, meta: dict) -> str:
    """"Kế hoạch của Sở Nội vụ triển khai Nghị quyết 71/NQ-CP": a document the plan's own title
    says it implements, named after "triển khai / thực hiện", names the plan, not the topic."""
    numbers = set(_CITED.findall(vt.fold(meta.get("title") or "").lower()))
    if not numbers:
        return folded
    cited = rf"(?:{'|'.join(sorted(numbers))})(?:\s*[/-]\s*[a-z]+(?:[/-][a-z]+)*)?"    # "328", "328-kh/tu"
    # "thực hiện NQ 71 và KH 328" with "thực hiện NQ" gone with the restated title: "71 và 328"
    folded = re.sub(rf"(?:^|(?<=\s)){cited}(?:\s+(?:va|,)\s+{cited})+(?![\w/])", " ", folded)
    return re.sub(rf"\b(?:trien khai|thuc hien|cu the hoa)\s+(?:(?:(?:nghi quyet|nq|ke hoach(?: hanh dong)?|kh)\s+)?"
                  rf"(?:so\s+)?{cited}(?![\w/])(?:\s*(?:,|va)\s*)?)+", " ", folded)


# ------------------------------------------------------------------ scope

def doc_aliases(meta: dict) -> list[tuple[str, float]]:
    """(folded alias, weight) pairs a question may use to name this document."""
    out: list[tuple[str, float]] = []
    for name in (meta.get("issuer", ""), meta.get("parent_issuer", "")):
        f = vt.compact(name)
        if len(f) < 4:
            continue
        variants = {f, f.replace("uy ban nhan dan", "ubnd"), f.replace("ubnd", "uy ban nhan dan")}
        variants |= {v.replace("van phong", "vp") for v in variants if v.startswith("van phong")}
        for v in list(variants):
            m = re.match(r"(?:ubnd|uy ban nhan dan) ((?:xa|phuong|thi tran|huyen|tinh|thanh pho) .+)", v)
            if m:
                variants.add(m.group(1))
        for v in variants:
            out.append((v, 1.0 if name == meta.get("issuer") else 0.4))
    # the field a title names ("… lĩnh vực Nội vụ") names the plan as its issuer does
    for field in re.findall(r"\blinh vuc ([a-z]+ [a-z]+)\b", vt.compact(meta.get("title") or "")):
        out.append((f"linh vuc {field}", 1.0))
    out += [(n, 1.5) for n in map(leading_number, numbers_of(meta)) if n]
    return out


def numbers_of(meta: dict) -> list[str]:
    """The document's number and those of the parts it holds (a compilation file)."""
    return [n for n in [meta.get("number"), *(p.get("number") for p in meta.get("parts") or ())] if n]


def leading_number(number: str) -> str:
    """The digits a document's number starts with ("3469" of "3469/KH-SNV"; "" for "/KH-SNV")."""
    m = re.match(r"\s*(\d+)", number or "")
    return m.group(1) if m else ""


def named_parts(folded: str, documents: dict[str, dict]) -> dict[str, list[tuple[int, int]]]:
    """doc id → spans of the parts a question names by number ("Kết luận 69-KL/TW"), for the
    compilation files among ``documents`` (naming the file otherwise restricts nothing)."""
    out = {}
    for doc_id, meta in documents.items():
        named = [(p["start"], p["end"]) for p in meta.get("parts") or ()
                 if (n := leading_number(p.get("number"))) and _alias_hit(n, folded) == 1.0]
        if named:
            out[doc_id] = named
    return out


# "… thực hiện Nghị quyết 57", "triển khai Kế hoạch số 348": the number names the document
# a plan implements, not the plan asked about; "kinh phí / kết quả thực hiện KH 3469" is the
# funding or outcome of carrying out that very plan
_IMPLEMENTS = re.compile(r"\b(?:(?<!kinh phi )(?<!ket qua )(?<!tien do )(?<!tinh hinh )"
                         r"(?:thuc hien|trien khai|cu the hoa)\b(?:\s+\S+){0,3}"
                         # "chương trình … về NQ 57": a plan about the document
                         r"|ve\s+\S+(?:\s+quyet|\s+hoach)?(?:\s+so)?"
                         # "chương trình hành động NQ57", "kế hoạch NQ 57": a plan named by what it implements
                         r"|\b(?:chuong trinh|ke hoach|kh)(?: hanh dong)?\s+(?:nq|nghi quyet|ct|chi thi|kl|ket luan)(?:\s+so)?"
                         r")\s*$")
# "Kế hoạch 3469", "NQ số 03", "03/NQ-CP": a bare number names a document only after a kind of
# document or with its tail ("tối thiểu 03 cơ sở" is a quantity)
NUMBERED = re.compile(r"\b(?:ke hoach|kh|nghi quyet|nq|cong van|cv|quyet dinh|qd|ket luan|kl|chi thi|ct|thong tu"
                      r"|tt|van ban|chuong trinh|ctr|bao cao|to trinh|so)\s*(?:so\s*)?[:.]?\s*$")
# "tham mưu Chính phủ", "báo cáo UBND tỉnh", "giao Sở Nội vụ": the body addressed or given a
# task, not the plan's issuer
_ADDRESSED = re.compile(r"\b(?:tham muu|bao cao|trinh|gui|giup|de nghi|kien nghi|giao)\s*(?:cho|len|ve|voi)?\s*$")


def _alias_hit(alias: str, folded: str) -> float:
    """1.0: the question names the document by this alias; 0.5: only as the document some
    plan implements ("… thực hiện Nghị quyết 57"), which alone does not scope; 0.0: not at all."""
    if alias.isdigit():
        found = [not _IMPLEMENTS.search(folded[max(0, m.start() - 40):m.start()])
                 for m in re.finditer(rf"\b{alias}\b", folded)
                 if NUMBERED.search(folded[max(0, m.start() - 30):m.start()])
                 or re.match(r"\s*[/-]\s*[a-z]", folded[m.end():])]
        return 1.0 if any(found) else 0.5 if found else 0.0
    exact = [m.start() for m in re.finditer(rf"\b{re.escape(alias)}\b", folded)]
    if exact:
        return float(any(not _ADDRESSED.search(folded[max(0, i - 20):i]) for i in exact))
    if len(alias) >= 8:
        return float(len(folded) >= len(alias) and fuzz.partial_ratio(alias, folded) >= 92)
    return 0.0


@dataclass(frozen=True)
class DocumentNames:
    """The names a question may use for each primary document (``doc_aliases``) and the pairs
    of names one of which ends the other (``_tail_pairs``). Derived from a snapshot's documents;
    ``document_names`` keeps it with the index generation instead of rebuilding it per question."""
    aliases: dict[str, list[tuple[str, float]]]
    tail_pairs: list[tuple[str, str, re.Pattern]]

    @classmethod
    def of(cls, documents: dict[str, dict]) -> DocumentNames:
        aliases = {doc_id: doc_aliases(meta) for doc_id, meta in documents.items()
                   if not meta.get("duplicate_of")}
        return cls(aliases, _tail_pairs({a for names in aliases.values() for a, _ in names}))


def document_names(snap) -> DocumentNames:
    """The snapshot's DocumentNames, built once per index generation (``IndexSnapshot.memo``)."""
    return snap.memo("document_names", lambda: DocumentNames.of(snap.documents))


def _tail_pairs(aliases: set[str]) -> list[tuple[str, str, re.Pattern]]:
    """(short, long, pattern): aliases that end another alias, which has ≥ 2 more words."""
    out = []
    for b in aliases:
        words = b.split()
        for k in range(1, len(words) - 1):
            a = " ".join(words[k:])
            if a in aliases and k >= 2:
                out.append((a, b, re.compile(rf"\b{re.escape(' '.join(words[k - 2:]))}\b")))
    return out


def _shadowed_hits(folded: str, pairs: list[tuple[str, str, re.Pattern]]) -> dict[str, float]:
    """Hits of the names that are the tail of a longer name the question uses: in "báo cáo
    của Đảng ủy Chính phủ", "chính phủ" is part of "(Văn phòng) Đảng ủy Chính phủ", so the
    issuer "Chính phủ" is not named, and the longer one is (its last two extra words suffice)."""
    hits: dict[str, float] = {}
    for a, b, rx in pairs:
        if rx.search(folded):
            hits[a] = 0.0
            hits.setdefault(b, 1.0)
    return hits


# "kế hoạch cấp xã", "ở cấp xã": a plan named by its issuer's level alone ("cấp" never precedes a
# place name, unlike "của xã …")
_LEVEL_Q = re.compile(r"\b(?:ke hoach|kh|van ban|o|tai)\s+cap\s+(xa|phuong|thi tran|huyen)\b")


def _level_scope(folded: str, names: DocumentNames) -> list[str]:
    """Doc ids of the level the question names ("kế hoạch cấp xã"): the plans issued by the
    people's committee of such a unit."""
    m = _LEVEL_Q.search(folded)
    if not m:
        return []
    rx = re.compile(rf"^(?:ubnd|uy ban nhan dan) {m.group(1)}\b")
    return sorted(d for d, aliases in names.aliases.items() if any(rx.match(a) for a, _ in aliases))


_PERIOD = re.compile(r"\b20\d\d\s*[-–]\s*20\d\d\b|\b(?:den|toi) (?:het )?nam 20\d\d\b")


def detect_scope(folded: str, documents: dict[str, dict], names: DocumentNames | None = None) -> list[str]:
    """Doc ids the question explicitly names (issuer, place, number; year to disambiguate),
    or, naming none, the plans of the issuer level it names ("kế hoạch cấp xã")."""
    names = names or DocumentNames.of(documents)
    scores: dict[str, float] = {}
    hits = _shadowed_hits(folded, names.tail_pairs)
    for doc_id, aliases in names.aliases.items():
        best = bonus = 0.0
        for alias, weight in aliases:
            hit = hits.get(alias)
            if hit is None:
                hit = hits[alias] = _alias_hit(alias, folded)
            if hit == 1.0:
                best = max(best, weight)
            elif hit:
                bonus = 0.01            # breaks a tie between plans of the same issuer
        if best >= 1.0:
            scores[doc_id] = best + bonus
    if len(scores) > 1:
        # a plan's year, not a period it plans for ("giai đoạn 2026 – 2030", "đến năm 2030")
        years = set(re.findall(r"\b(20\d\d)\b", _PERIOD.sub(" ", folded)))
        if years:
            dated = {d: s for d, s in scores.items() if doc_year(documents[d]) in years}
            if dated:
                scores = dated
    if len(scores) > 1:     # "kế hoạch của Sở Nội vụ triển khai NQ 71": the issuer's plan implementing it
        implementing = {d: sc for d, sc in scores.items() if _strip_implemented(folded, documents[d]) != folded}
        if implementing:
            scores = implementing
    if len(scores) > 1:                       # a more specific name wins ("xa nghia dan" over "ubnd")
        top = max(scores.values())
        scores = {d: s for d, s in scores.items() if s == top}
    return sorted(scores) or _level_scope(folded, names)


def doc_year(meta: dict) -> str:
    """The plan's year: from its date, else a year in its title or number ("" if none)."""
    date = meta.get("date") or ""
    if date[:4].isdigit():
        return date[:4]
    m = re.search(r"\b(20\d\d)\b", meta.get("title", "") + " " + meta.get("number", ""))
    return m.group(1) if m else ""
