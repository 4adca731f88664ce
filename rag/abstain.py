"""When to say "not found": checks that a candidate answer can really answer the question.

1. **Unknown names.** A proper name in the question (a run of capitalised syllables such
   as "Hà Tĩnh" or "Sở Giáo dục và Đào tạo"), or a province or district typed in lower
   case ("so noi vu ha noi"), that never occurs in the loaded plans means the question is
   about something the plans do not cover; so does a year none of them writes
   ("giai đoạn 2031-2035"), a foreign term ("blockchain"), a word they never capitalise
   ("tiếng Lào"), a sibling of their own place ("xa nghia thuan" beside "xã Nghĩa Đàn")
   or a place after "của / tại / ở phường, xã" they never write.
2. **Unknown units and plans.** "Phòng Xây dựng chính quyền" (an organisation word and a
   capitalised name, or "trung tâm" and a lower-case name) or "Kế hoạch 348/KH-UBND" (a
   document number) that no loaded plan contains or is numbered with; "theo kế hoạch của
   <unit>" where that unit issued none of the loaded plans; a question about
   what a document the plans only cite says ("Văn bản số 562/BKHCN-VCL …"); an appendix
   a plan only refers to.
3. **Answer type.** A question asking for money needs evidence with an amount of money;
   one asking for a person's name needs a personal name, for a company a company, for
   "trường / bệnh viện / xóm nào" a named one; "bao nhiêu <thing>" needs evidence that
   mentions that thing; "tỷ lệ <X>" evidence about X; a deadline question evidence with a
   time ("quý / tháng mấy" one within the year, "ngày mấy" a day); a rate ("tỷ lệ … bao
   nhiêu") a percentage; a figure for a given year evidence for that year (an indicator:
   one of its year columns); who holds a post ("ai làm Trưởng ban") that post; the source
   of a row ("cập nhật bổ sung từ văn bản nào") a document named by number; an address,
   website, phone or e-mail one written out, and a web system named by address that
   address; "ngoài X … còn <kind> nào" another of X's kind; "xếp loại gì" a grade. A line
   that only names a unit answers no question but who. Who / when of building, setting up or
   equipping a thing ("ai chủ trì xây dựng khu công nghệ thông tin tập trung") needs evidence
   naming the head of that thing. These read what a unit states
   (``stated_text``). What has been done or exists now ("đã … xong chưa", "hiện có bao
   nhiêu") is not in documents that say what is to be done (plans, resolutions).
4. **The question's own details.** Evidence about another horizon year, administrative
   level, field ("lĩnh vực tư pháp"), province, count, unit acting or given the task, or
   appendix than the question's cannot answer it; a claim to confirm ("có phải … không",
   "… có X không?") must be stated.
These are general properties of questions and text, not of any particular plan.
"""
from __future__ import annotations

import re

from index import text as vt
from index.reader import IndexSnapshot
from rag.evidence import SUBJECTLESS
from rag.places import place_names
from rag.query import BASED_ON, NUMBERED, STOPWORDS, asks_progress, leading_number, numbers_of, without_courtesy

# Capitalised words that start questions or name generic things; never an "entity" alone.
_GENERIC = set("""
ke hoach kh nghi quyet chuong trinh so ban phong van uy ubnd hdnd bo xa tinh huyen thanh pho
ai dau khi nao theo trong tai cua cac nhung ve nhiem vu don vi co quan de an
""".split())
# common family names; those that also start place or body names ("Hà Nội", "Cao Bằng", "Thái
# Bình", "Đoàn Thanh niên", "Châu Âu") are left out
_SURNAMES_ACCENTED = set("nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đào đinh lâm mai trịnh"
                         " trương tô vương tạ lương quách lưu triệu phùng lại khổng tôn hứa doãn đàm thân mạc kiều"
                         .split())
_SURNAMES = {vt.fold(n) for n in _SURNAMES_ACCENTED}
_MONEY_Q = re.compile(r"\b(bao nhieu|may) (tien|dong|trieu|ty|nghin)\b|\b(kinh phi|ngan sach|tien thuong|muc tien|"
                      r"so tien|bang tien|muc thuong|du chi|du toan|chi bao nhieu|muc chi(?! tieu)|muc ho tro|chi phi"
                      r"|tien luong|muc luong|tra luong|thu lao|phu cap|bi phat|xu phat|muc phat|tien phat"
                      r"|von dieu le|tong muc dau tu|tong von|gia tri hop dong)\b"
                      r".*\b(bao nhieu|may)\b|\btrieu dong\b|\bty dong\b"
                      r"|\bthuong bao nhieu(?:\s+(?:cho|tien|dong)\b|\s*[?.]|\s*$)")    # "thưởng bao nhiêu cho mỗi …"
_SHARE_Q = re.compile(r"%|\b(phan tram|t[yi] le|ty trong)\b")     # "kinh phí … bao nhiêu % GDP" is a share
# numbers written as words ("ít nhất một", "ba khu"); "năm" is a year far more often than five
_NUMERAL = re.compile(r"(?<!\w)(một|hai|ba|bốn|tư|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu|tỷ|nửa|đôi)(?!\w)")
_MONEY_E = re.compile(r"\d[\d.,]*\s*(trieu|ty|nghin|dong|vnd)\b")
_ROLE = (r"(pho )?(giam doc|chu tich|truong phong|pho truong phong|chanh van phong|bi thu|truong ban"
         r"|to truong|doi truong)")
_PERSON_Q = re.compile(r"\bho ten\b|\bho va ten\b|\bten (day du |cu the )?(la )?gi\b|\bdong chi nao\b"
                       # "Ai là …" asks a person, "Ai là đơn vị / phòng …" a unit
                       r"|^ai la\b(?! (?:don vi|co quan|phong|bo phan|to chuc|luc luong|cap|dau moi)\b)"
                       r"|\bai ky\b|\bnguoi ky\b"
                       rf"|\b{_ROLE}( [a-z]+)? nao\b|^{_ROLE}\b.* la ai\b|\blanh dao nao\b")
# "ai (được giao) làm Trưởng Ban Chỉ đạo": who holds a post — the evidence must name the post
_POST_Q = re.compile(rf"\bai\b[^?]{{0,40}}\b(?:lam|giu|dam nhiem|giu chuc)\s+({_ROLE})\b")
_BODY_END = set("cua ve o tai thuoc nao la va trong theo do duoc cho".split())


def _post_body(after: str) -> str:
    """The body a post heads, as the question names it right after the post: up to four
    syllables, up to a function word ("… Hội đồng Tư vấn quốc gia về …" → "hoi dong tu van")."""
    body = []
    for w in vt.syllables(re.split(r"[;,.?!:()]", after, maxsplit=1)[0])[:4]:
        if w in _BODY_END:
            break
        body.append(w)
    return " ".join(body)


# "loại doanh nghiệp nào" asks a kind of firm ("doanh nghiệp công nghệ cao"), not one by name
_COMPANY_Q = re.compile(r"(?<!loai )(?<!kieu )(?<!nhom )"
                        r"\b(doanh nghiep|cong ty|nha cung cap|nha thau|tap doan|nha mang|don vi cung cap)"
                        r"( [a-z]+){0,2} nao\b"
                        r"|\bthue (cong ty|doanh nghiep|don vi) nao\b|\b(san pham|thiet bi) (cua )?hang nao\b"
                        r"|\bhang (san xuat|cung cap) nao\b")
# "trường THCS nào / bệnh viện nào / xóm nào": a place known by its name, which the evidence must give
# "trường nào" asks a school; "môi trường / thị trường / lập trường nào" does not
_PLACE_Q = re.compile(r"\b((?<!moi )(?<!thi )(?<!lap )(?<!hien )truong|benh vien|xom|thon)"
                      r"( (thcs|thpt|tieu hoc|mam non|dai hoc|cao dang))? nao\b")
_PLACE_E = re.compile(r"\b(?:(?:[Tt]rường )?(?:THCS|THPT|[Tt]iểu học|[Mm]ầm non|[Đđ]ại học|[Cc]ao đẳng)|[Tt]rường|[Bb]ệnh viện"
                      rf"|[Xx]óm|[Tt]hôn) [{vt.VI_UPPER}0-9]")
_COMPANY_E = re.compile(r"\b(cong ty|tap doan|tong cong ty|vnpt|viettel|fpt|mobifone|cmc)\b")
_CONTACT = {
    "address": (r"\bdia chi\b(?! (email|website|web|trang))|\bnam o (dau|duong|pho)\b|\bo duong nao\b",
                r"\b(so|ngo|ngach) \d+|\bduong [a-z]+|\bpho [a-z]+ [a-z]+,"),
    "website": (r"\bwebsite\b|\btrang web\b|\bten mien\b|\bdia chi (trang|web)",
                r"\b[\w-]+\.(gov\.vn|vn|com|org|net)\b|https?://"),
    "phone": (r"\bso dien thoai\b|\bsdt\b|\bdien thoai lien he\b|\bhotline\b|\bduong day nong\b",
              r"\b0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}\b"),
    "email": (r"\bemail\b|\bthu dien tu\b", r"@"),
    # "quý mấy / tháng nào": a time within the year, which a bare year or "thường xuyên" is not
    "period": (r"\b(quy|thang) (may|nao)\b",      # "3/2025" is a month too
               r"\b(quy|thang)\s*[ivx\d]|\b(?!24/7\b)\d{1,2}/\d{1,2}\b|\b\d{1,2}/20\d\d\b|\bq[1-4]\b"),
    # "trước ngày mấy / ngày nào / ngày, tháng nào": a day, which a month, a quarter or "giám sát 24/7" is not
    "day": (r"\bngay,? (?:thang,? )?(?:cu the )?(may|nao|bao nhieu)\b", r"\b(?!24/7\b)\d{1,2}[/.-]\d{1,2}\b|\bngay\s*\d{1,2}\b"),
    # "vào thứ mấy": a day of the week
    "weekday": (r"\b(vao|ngay) thu (may|nao)\b", r"\bthu (hai|ba|tu|nam|sau|bay|[2-7])\b|\bchu nhat\b"),
    # "được cập nhật bổ sung từ văn bản nào": a document named by number, which a row whose
    # Ghi chú cell is blank does not give
    "source": (r"\b(cap nhat bo sung|lay|bo sung|dua|can cu|xuat phat) (tu|theo|vao)\b[^?]{0,40}"
               r"\b(van ban|ke hoach|nghi quyet|quyet dinh|chuong trinh|danh muc|cong van|tai lieu) (nao|gi)\b",
               r"\d+\s*[/-]\s*[a-z]{2,}|\b(ctct|ctr|kh|nq|qd|ct|kl) \d+"
               r"|\b(ke hoach|nghi quyet|quyet dinh|chuong trinh|cong van|ket luan|chi thi) (so )?\d+"),
    "discipline": (r"\bky luat\b.*\bhinh thuc (nao|gi)\b|\bhinh thuc ky luat\b|\btru diem\b"
                   r"|\bbi xu ly\b[^?]{0,40}\b(the nao|ra sao)\b",
                   r"\b(khien trach|canh cao|ha bac luong|giang chuc|cach chuc|buoc thoi viec|phat tien)\b"),
    # "xếp hạng thứ mấy": a rank, which a target without one does not give
    "rank": (r"\b(xep hang|xep thu|dung thu|dung hang)\b[^?]{0,20}\b(may|bao nhieu)\b|\bthu hang (may|bao nhieu)\b",
             r"\b(thu|hang|top|nhom)\s*(?:[≤<>≥]=?\s*)?\d+|\b(thu|xep) (hang|bac)\b[^.;]{0,20}\d"
             r"|\bthu (nhat|nhi|ba)\b|\bnhom (dau|dan dau)\b|\bdan dau\b"),
    # "X do đơn vị nào quản lý, vận hành / ai vận hành X": who runs X, which a task that only
    # connects to X or builds in it does not say
    "operator": (r"\b(?:ai|nao|chu tri|phu trach)\s+(?:(?:quan ly|quan tri)\s*,?\s*(?:va\s+)?)?van hanh\b",
                 r"\bvan hanh\b"),
    # "báo cáo quý gửi trước ngày nào": a quarterly report, which a text reporting twice a year does not set
    "quarterly": (r"\bbao cao (hang |moi |theo )?quy\b", r"\b(hang|moi|tung|cuoi|dau|theo) quy\b(?! dinh)|\bquy\s*[ivx\d]"),
    # "báo cáo … hàng tháng gửi về đâu": a monthly report, which a quarterly one is not
    "monthly": (r"\bbao cao\b[^?]{0,40}\b(hang|moi) thang\b|\b(hang|moi) thang\b[^?]{0,20}\bbao cao\b",
                r"\b(hang|moi|tung) thang\b"),
    # "được xếp loại gì / đạt loại nào": a grade, which a task to evaluate does not give
    "grade": (r"\b(?:xep|dat|duoc) loai (gi|nao|may)\b",
              r"\b(loai|hang|muc) (a|b|c|[1-5]|tot|kha|xuat sac|trung binh|yeu|kem|hoan thanh)\b"),
    # "bao lâu thì họp một lần": how often, which a one-off deadline is not
    "frequency": (r"\bbao lau\b[^?]{0,30}\bmot lan\b|\b(dinh ky|thuong ky) bao lau\b",
                  r"\bhang (nam|thang|quy|tuan|ngay)\b|\bdinh ky\b|\b\d+ lan\b|\b(moi|mot) (nam|thang|quy|tuan)\b"
                  r"|\b\d+ (thang|tuan) (mot|1) lan\b"),
}
# "thông tư / nghị định nào": a document of a kind the plans cite by number ("Luật" by name);
# "kế hoạch / nghị quyết nào" are left out: the plans themselves answer those
_DOC_KIND_Q = re.compile(r"\b(thong tu|nghi dinh|chi thi|cong van|luat|quyet dinh) (nao|gi|so (?:may|bao nhieu))\b")
_DOC_KIND_NAMES = {"thong tu": "[Tt]hông tư", "nghi dinh": "[Nn]ghị định", "chi thi": "[Cc]hỉ thị",
                   "cong van": "[Cc]ông văn", "luat": "[Ll]uật", "quyet dinh": "[Qq]uyết định"}
# "tỷ lệ <X>", "tốc độ tăng <X>": the rate of what (the words after the rate words)
_RATE = r"\b(?:t[yi] le|toc do tang(?: truong)?)"
_RATE_Q = re.compile(rf"{_RATE} ([a-z]+ [a-z]+)")
_TIME_E = re.compile(r"\b\d{1,2}/\d{1,2}\b|\b\d{1,2}/20\d\d\b|\b(thang|quy) [\divx]+\b|\b(nam|giai doan) 20\d\d\b"
                     r"|\btruoc ngay\b|\bhang (nam|thang|quy|tuan)\b|\bthuong xuyen\b"
                     r"|\bdinh ky (?:\d+|hang|moi) (?:nam|thang|quy|tuan)\b|\bdinh ky\b|\bngay \d"
                     r"|\b20\d\d\s*[-–]\s*20\d\d\b|\bsau khi\b|\bden (thoi diem|khi)\b|\bkhi (co|tinh|cap)\b|\b(dau|giua|cuoi) (nam|quy|thang)\b")
# Organisation words that, followed by a capitalised word, start the name of a unit.
_ORG = (r"(?:Phòng|Sở|Bộ|Ban|Trung tâm|Cục|Chi cục|Văn phòng|Viện|Trường|Công ty|Tổng cục|Hội|Quỹ|Đội|Ủy ban"
        r"|Thanh tra|Kho bạc|Bệnh viện|Công an|Tòa án|Viện kiểm sát|Liên đoàn|Chi nhánh|Đài"
        r"|Kiểm toán|Ngân hàng|Mặt trận|Hội đồng|Tập đoàn|Tổng công ty|Học viện|Đại học|Bảo hiểm|Cổng)")
_ORG_NAME = re.compile(rf"(?<!\w){_ORG}\s+([{vt.VI_UPPER}][^\W\d_]*(?:\s+[^\W\d_]+){{0,2}})")
_ORG_START = re.compile(rf"{_ORG}\b")
# "348/KH-UBND", "73/2023/NĐ-CP", and "Nghị định 73/2023" (number and year, no code)
_DOC_NUMBER = re.compile(r"\b(\d{1,5})\s*[/-]\s*(?:(?:19|20)\d\d\s*[/-]\s*)?(?:kh|qd|nq|ct|tb|bc|cv|nd|tt|hd)\b"
                         r"|\b(?:nghi dinh|thong tu|quyet dinh|nghi quyet)\s+(?:so\s+)?(\d{1,5})\s*/\s*(?:19|20)\d\d\b")
_NOT_NOUNS = set("tram tien la so nao gi dat duoc phai the".split())
# nouns opening with a function word's syllable ("cơ sở", folded like "có sở"; "hội nghị", like "hỏi";
# "máy tính", like "mấy")
_COMPOUND_NOUNS = {"co so", "co quan", "co che", "hoi nghi", "hoi thao", "hoi dong", "hoi vien",
                   "may tinh", "may chu"}
# "bao nhiêu người" counts people, whatever the evidence calls them
_PEOPLE = r"(?:nguoi|can bo|thanh vien|cong chuc|vien chuc|chuyen gia|hoc vien|lao dong|nhan su)"
_DURATIONS = set("nam thang ngay tuan gio lan".split())      # "bao nhiêu tháng" needs "<n> tháng"
_COUNT_Q = re.compile(r"\bbao nhieu ([a-z]+(?: [a-z]+)?)"   # "bao nhiêu tài khoản", not "bao nhiêu %"
                      r"|\bmay ((?:lan|cap|loai|nhom|buoc|phan he|dot|giai doan|muc|lop|khoa)(?: [a-z]+)?)\b")
# "mấy lần / cấp độ": folded, "mấy" is "máy" too (máy tính), so only before a measure word


def _name_runs(question: str) -> list[list[str]]:
    """Runs of ≥ 2 capitalised words, the question's first word excluded ("và" ends a run:
    "Bạch Mai và Bệnh viện Chợ Rẫy" names two places).
    A comma or other clause punctuation ends a run: "tiếng Anh, Nhật, Hàn" lists names."""
    runs, cur = [], []
    prev_end = 0
    for i, m in enumerate(re.finditer(r"[^\W_]+(?:[-/][^\W_]+)*", question)):
        w = m.group(0)
        if re.search(r"[,;:()?!.]", question[prev_end:m.start()]):
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
        prev_end = m.end()
        # codes and abbreviations ("57-NQ/TW", "UBND", "KHCN") are not names: they end a run
        if i > 0 and w[0].isupper() and w.isalpha() and not (len(w) > 1 and w.isupper()):
            cur.append(w)
        else:
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
    if len(cur) >= 2:
        runs.append(cur)
    return runs


# Vietnam's provinces and centrally-run cities (folded; old and merged names): general
# knowledge, so a place typed in lower case ("so noi vu ha noi") is recognised as a place.
PROVINCES = set("""
ha noi|ho chi minh|hai phong|da nang|can tho|hue|an giang|ba ria vung tau|bac giang|bac kan|bac lieu|bac ninh
|ben tre|binh dinh|binh duong|binh phuoc|binh thuan|ca mau|cao bang|dak lak|dak nong|dien bien|dong nai
|dong thap|gia lai|ha giang|ha nam|ha tinh|hai duong|hau giang|hoa binh|hung yen|khanh hoa|kien giang|kon tum
|lai chau|lam dong|lang son|lao cai|long an|nam dinh|nghe an|ninh binh|ninh thuan|phu tho|phu yen|quang binh
|quang nam|quang ngai|quang ninh|quang tri|soc trang|son la|tay ninh|thai binh|thai nguyen|thanh hoa
|thua thien hue|tien giang|tra vinh|tuyen quang|vinh long|vinh phuc|yen bai""".replace("\n", "").split("|"))
# "phường, xã" fold like other words ("phương", "xa"): a place only after "của / tại / ở / UBND" or
# opening the question ("xa nam dan dat muc tieu …");
# "tỉnh, quận" ("tình", "quân") are left to the province list and to capitalised names
_PLACE_WORD = re.compile(r"\b(huyen|thi xa|thi tran|thanh pho"
                         r"|(?:^|(?<=cua )|(?<=tai )|(?<=\bo )|(?<=ubnd ))(?:phuong|xa)) ([a-z]+) ([a-z]+)\b")


def _provinces_in(folded: str) -> list[str]:
    """The provinces whose folded name occurs in a folded, syllable-spaced question."""
    return [p for p in PROVINCES if p in folded and re.search(rf"\b{p}\b", folded)]


def unknown_places(question: str, snap: IndexSnapshot) -> list[str]:
    """Places the plans never mention: a province from the list above, or a place word and
    a two-word name ("thi xa hoang mai") whose words the plans never write together."""
    vocab = snap.bm25_fold.vocab_dict
    folded = " ".join(vt.syllables(vt.fold(question).lower()))
    out = [p for p in _provinces_in(folded) if "_".join(p.split()[:2]) not in vocab]
    for m in _PLACE_WORD.finditer(folded):
        a, b = m.group(2), m.group(3)
        if f"{a}_{b}" in vocab:
            continue
        if f"{a} {b}" not in place_names():     # a real place ("phường cửa lò") even when its words are common
            if a in STOPWORDS or b in STOPWORDS or f"{m.group(1).split()[-1]}_{a}" in vocab:
                continue
            if question[m.start(2):m.start(2) + 1].isupper() or vt.has_diacritics(question):
                continue        # typed with capitals/diacritics: unknown_names checks it
        out.append(f"{m.group(1)} {a} {b}")
    out += _sibling_places(folded, snap)
    return list(dict.fromkeys(out))


_ADMIN = re.compile(r"\b(xa|phuong|thi tran|huyen|tinh|thanh pho|quan) ([a-z]+) ([a-z]+)\b")


def _sibling_places(folded: str, snap: IndexSnapshot) -> list[str]:
    """A place typed in lower case that shares its first word with a plan's own place but
    not its name ("xa nghia thuan" when the plans are of "xã Nghĩa Đàn"): another place."""
    heads = snap.memo("own_places", lambda: {
        (m.group(1), m.group(2)): m.group(0) for meta in snap.documents.values() for k in ("issuer", "parent_issuer")
        for m in _ADMIN.finditer(" ".join(vt.syllables(vt.fold(meta.get(k) or "").lower())))})
    vocab = snap.bm25_fold.vocab_dict
    out = []
    for m in _ADMIN.finditer(folded):
        known = heads.get((m.group(1), m.group(2)))
        if known and known != m.group(0) and f"{m.group(2)}_{m.group(3)}" not in vocab:
            out.append(m.group(0))
    return out


# A Vietnamese syllable, accent-folded: onset, vowel nucleus, final. A word that is none
# ("blockchain", "chatbot", "drone") is a foreign term.
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|tr|th|ph|kh|gh|gi|qu|[bcdghklmnpqrstvx])?"
                       r"(uye|uya|uyu|oai|oay|oeo|uay|uoi|uou|ieu|yeu|uoc|uon|uong|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe"
                       r"|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)(ch|ng|nh|c|m|n|p|t|i|y|o|u)?")


def foreign_terms(question: str, snap: IndexSnapshot) -> list[str]:
    """Foreign technical terms ("ứng dụng blockchain", "chatbot", "drone") that no loaded plan
    writes, nor anything spelled nearly the same ("Module" ~ "modul"): the plans do not
    cover them. Abbreviations (no vowel, or upper case) and typos (accented) are not such terms."""
    from rapidfuzz import fuzz, process

    vocab = snap.bm25_fold.vocab_dict
    out = []
    for w in re.findall(r"(?<![\w.@/-])[^\W\d_]{4,}(?![\w.@/-])", question):
        f = w.lower()
        if w.isupper() or vt.has_diacritics(w) or not re.search(r"[aeiouy]", f) or f in vocab \
                or _SYLLABLE.fullmatch(f):
            continue
        words = snap.memo("single_words", lambda: [t for t in vocab if "_" not in t])
        if process.extractOne(f, words, scorer=fuzz.ratio, score_cutoff=85) is None:
            out.append(w)
    return out


def unknown_capitalised(question: str, snap: IndexSnapshot) -> list[str]:
    """Words capitalised mid-sentence ("tiếng Lào", "Sông Lam") that the plans never write
    capitalised, even without accents ("Nôi" is "Nội"): names of things they do not cover.
    Only in questions typed with diacritics (a careful hand); abbreviations are not names."""
    if not vt.has_diacritics(question):
        return []
    written = snap.memo("capitalised", lambda: {vt.fold(w) for d in snap.primary_documents()
                                                for w in re.findall(r"[^\W\d_]+", snap.document_text(d))
                                                if w[0].isupper() and not (len(w) > 1 and w.isupper())})
    return [w for w in re.findall(r"(?<=[^\W\d_] )[^\W\d_]+", question)
            if w[0].isupper() and not (len(w) > 1 and w.isupper()) and vt.fold(w) not in written]


_LANGUAGE = re.compile(r"\btieng (anh|phap|nhat|han|trung|lao|nga|duc|thai|khmer|campuchia|hoa|y|tay ban nha"
                       r"|bo dao nha|an do)\b")


def unknown_languages(question: str, snap: IndexSnapshot) -> list[str]:
    """Languages ("tiếng Lào", "tieng phap") the plans never name, however the question is
    typed (in lower case or without accents a language is no capitalised name)."""
    folded = vt.fold(question).lower()
    return [m.group(0) for m in _LANGUAGE.finditer(folded)
            if not any(m.group(0) in _doc_folded(snap, d) for d in snap.primary_documents())]


# a document's code as one syllable of folded text: "06-kh/bcdtw", "179/2024/nd-cp"
_DOC_CODE = re.compile(r"(\d+(?:/\d{4})?)([/-][a-z&]+(?:[/-][a-z&]+)+)")


def _codes(folded: str) -> set[tuple[str, str]]:
    """(number, series) of each document code in a folded text: ("6", "-kh/bcdtw")."""
    return {(m.group(1).lstrip("0"), m.group(2)) for t in vt.syllables(folded) if (m := _DOC_CODE.fullmatch(t))}


def unknown_names(question: str, snap: IndexSnapshot) -> list[str]:
    """Proper-name phrases of the question that never occur in the loaded plans."""
    vocab = snap.bm25_fold.vocab_dict
    out = unknown_places(question, snap) + foreign_terms(question, snap) + unknown_capitalised(question, snap) \
        + unknown_languages(question, snap)
    # a document code the plans never write ("Kế hoạch số 06-KH/BCĐTW" beside their "04-KH/BCĐTW")
    numbers = snap.memo("document_codes", lambda: {re.sub(r"\s+", "", vt.fold(n))
                                                   for m in snap.documents.values() for n in numbers_of(m)})
    out += [t for t in vt.syllables(vt.fold(question)) if _DOC_CODE.fullmatch(t) and t not in vocab
            and t not in numbers]
    for run in _name_runs(question):
        syl = _trim_generic([vt.fold(w) for w in run])
        if len(syl) < 2:
            continue
        pairs = [f"{a}_{b}" for a, b in zip(syl, syl[1:])]
        if any(p not in vocab for p in pairs):
            out.append(" ".join(syl))
    return out


def unknown_units(question: str, snap: IndexSnapshot, doc_ids: list[str]) -> list[str]:
    """Unit names ("Phòng Xây dựng chính quyền": an organisation word and a capitalised
    name) that occur in none of ``doc_ids`` (the plans retrieval found for the question).
    The organisation word and the next two words are compared, accent-folded with
    abbreviations expanded, since the rest of the question follows the name unpunctuated."""
    return [phrase for _, phrase in _unit_names(question)
            if not any(f" {phrase} " in _doc_phrases(snap, d) for d in doc_ids)]


def _unit_names(question: str) -> list[tuple[int, str]]:
    """(position, folded phrase) of each unit name the question writes out in full."""
    out = []
    for m in _ORG_NAME.finditer(question):
        org = vt.syllables(vt.fold(m.group(0)[: m.start(1) - m.start(0)]))
        name = []
        for raw in re.findall(r"[^\W_]+(?:[./&-][^\W_]+)*", m.group(1)):
            w = vt.fold(raw).lower()
            if (w in STOPWORDS and not raw[0].isupper()) or len(name) == 2:   # "Tư pháp": a name, not "từ"
                break
            name.append(w)
        acronym = re.match(r"([A-ZĐ][A-ZĐ&-]*[A-ZĐ])(?![\w&-])", m.group(1))
        if acronym and vt.fold(acronym.group(1)).lower() in vt.ABBREVIATIONS:
            # "Sở KHCN", "Sở TT&TT": an acronym the text module expands names the unit as its words
            # do ("Trung tâm IOC": the expansion "trung tâm giám sát …" holds the head already)
            words, head = _phrase(acronym.group(1)), _phrase(" ".join(org))
            out.append((m.start(), words if words.startswith(head) else f"{head} {words}"))
            continue
        if not name or any(w in vt.ABBREVIATIONS for w in name) or re.search(r"\b[A-ZĐ]{2,}\b", m.group(1)):
            continue            # "Trung tâm IOC": acronyms are written many ways; not checked
        if _ORG_START.match(m.group(1)):           # "Văn phòng Sở …": the unit is "Văn phòng Sở"
            name = name[:1]
        out.append((m.start(), _phrase(" ".join(org + name))))
    if vt.has_diacritics(question):     # "trung tâm đổi mới sáng tạo": a centre named in lower case
        for m in _LOWER_SO_BAN.finditer(question):      # "sở tư pháp", "ban tôn giáo": as typed without accents
            if _names_department(vt.fold(m.group(1)), vt.fold(m.group(2)).lower().split()) \
                    and m.start() not in {p for p, _ in out}:
                out.append((m.start(), _phrase(f"{m.group(1)} {m.group(2)}")))
        for m in _LOWER_ORG.finditer(question):
            raw = m.group(2).split()
            if m.group(1)[0].isupper():     # "Thanh tra tỉnh Nghệ An": the lower-case words are the name
                if not raw[0][0].islower():
                    continue
                raw = raw[:1] if not raw[1][0].islower() else raw
            words = [vt.fold(w).lower() for w in raw]
            acronym = re.search(r"\b[A-ZĐ]{2,}\b", " ".join(question[m.end():].split()[:4]))   # "… thông minh IOC"
            if not any(w in STOPWORDS for w in words) and not acronym and m.start() not in {p for p, _ in out}:
                out.append((m.start(), _phrase(f"{m.group(1)} {' '.join(raw)}")))
    else:               # typed without accents: "so tu phap", "phong to chuc bien che"
        low = question.lower()
        for m in _FOLDED_ORG.finditer(low):
            head, words = m.group(1), m.group(2).split()
            named = _NAME_WORDS.get(head, 0)       # words checked against the names
            if named and not _names_department(head, words):
                continue        # "số hóa", "ban hành": common words that fold like "sở", "ban"
            if head == "thanh tra":
                words = words[:1]       # "thanh tra sở nhiệm vụ …": the name is one word
            if any(w in STOPWORDS for w in words[named:]) \
                    or any(w in vt.ABBREVIATIONS for w in low[m.start():].split()[:8]):
                continue        # "trung tâm điều hành thông minh ioc": acronyms are written many ways
            out.append((m.start(), _phrase(f"{head} {' '.join(words)}")))
    return out


# without accents "sở" is "số" and "ban" is "bản"/"bàn": those heads count only before the
# first words of a provincial department or board name; "phòng" is not "phòng chống"
_FOLDED_ORG = re.compile(r"(?<![a-z])(?<!van )(?<!doi )(phong(?! (?:chong|ngua|hop|thu|chay|may|lam|trao|tranh))"
                         r"|trung tam|thanh tra|chi cuc|so|ban)\s+([a-z]+\s+[a-z]+)")
_FOLDED_NAMES = {
    "so": set("""tu phap|xay dung|y te|tai chinh|giao duc|khoa hoc|nong nghiep|cong thuong|van hoa|ngoai vu
|dan toc|noi vu|ke hoach|lao dong|tai nguyen|thong tin|giao thong|du lich|the thao""".replace("\n", "").split("|")),
    "ban": set("ton dan thi tuyen noi quan to kinh".split()),
}
_NAME_WORDS = {"so": 2, "ban": 1}        # how many words after the head the names above give


def _names_department(head: str, words: list[str]) -> bool:
    """"sở" / "ban" (folded) followed by ``words`` (folded) opens a department or board name."""
    return " ".join(words[:_NAME_WORDS[head]]) in _FOLDED_NAMES[head]


# accented, these words are units even in lower case ("phòng xây dựng chính quyền"): not
# "văn phòng", nor "phòng chống"; "sở" is left out ("thuộc sở xử lý", "văn phòng sở còn …")
_LOWER_SO_BAN = re.compile(r"(?<!\w)(sở|ban)\s+([^\W\d_]+\s+[^\W\d_]+)")
_LOWER_ORG = re.compile(r"(?<!\w)([Tt]rung tâm|[Qq]uỹ|(?<!văn )(?<!Văn )phòng(?! (?:chống|ngừa|họp|thủ|cháy|máy|làm))"
                        r"|[Tt]hanh tra|[Cc]hi cục|(?<!Bộ )Công an)\s+([^\W\d_]+\s+[^\W\d_]+)")
# … and "Quỹ phát triển …", "Thanh tra tỉnh …", "Công an tỉnh …": a capitalised head before a name in
# lower case


_ACTOR_VERB = re.compile(r"\b(?:phai|duoc giao|co trach nhiem|chu tri|thuc hien|giao|se|can"
                         r"|nang cap|xay dung|trien khai|to chuc|phat dong|tham muu|phoi hop)\b")


# a unit that is itself set up: "Ban Chỉ đạo … phải (được) lập xong trong tháng nào", "… phải được
# thành lập, ban hành quy chế … khi nào"
_SET_UP = re.compile(r"\b(?:thanh lap|lap|kien toan)\s+(?:xong|truoc|trong|vao|khi|luc|nam|thang|chua)\b"
                     r"|\bduoc (?:thanh lap|kien toan)\b")


def acting_units(question: str, units: list, documents: dict[str, dict]) -> list:
    """A question whose subject is a unit ("Trung tâm Dịch vụ việc làm phải … khi nào?",
    "Sở Khoa học và Công nghệ giao phòng nào …?"), or that names the unit a task is given
    to ("… giao Phòng Kế hoạch - Tài chính làm …"), is answered only by evidence about that
    unit: its plan's issuer, or a row/sentence (or its heading) that names it."""
    # "Cho tôi hỏi / Đề nghị cho biết / Xin cho biết …": a polite opener, then the question
    lead = re.match(r"\s*(?:(?:xin|đề nghị|de nghi|vui lòng|vui long)\s+)?(?:(?:cho\s+(?:tôi|toi|em)\s+)?(?:hỏi|hoi)"
                    r"|cho\s+(?:tôi\s+|toi\s+|em\s+)?(?:biết|biet))?\s*,?\s*", question, re.I).end()
    lead = re.match(r"(?:(?:theo|trong|tại|tai|ở|o) [^,?]{0,80},\s*)?", question[lead:], re.I).end() + lead
    # "… giao Phòng X làm …", "… chuyển nhiệm vụ … sang (cho) Trung tâm X chủ trì"
    given = {m.end() for m in re.finditer(r"\b(?:giao|sang) (?:cho )?", question)}
    named = _unit_names(question)
    names = [p for pos, p in named if pos == lead]
    tasked = [p for pos, p in named if pos in given]
    words = vt.fold(question[lead:]).lower().split()
    head = " ".join(words[:10])
    if names and not _ACTOR_VERB.search(head):
        names = []              # the unit is not the one acting ("Sở Nội vụ có bao nhiêu phòng?")
    if names and _SET_UP.search(" ".join(words[:14])):     # a long name pushes it past the first ten words
        tasked, names = names, []   # "Ban Chỉ đạo … phải lập xong khi nào": the unit is what is set up
    if not names and not tasked:
        return units
    phrase = (names or tasked)[0]
    issuer_of = _plan_phrases(documents, ("issuer", "parent_issuer"))
    keep = []
    for u in units:
        issuer = f" {issuer_of(u.doc_id)} "
        if u.kind == "task" and names:      # the unit acting is a row's lead or partner, not one its task names
            cells = [str(v) for k, v in u.record.items() if k not in ("content", "group", "expected_result")]
            text = f" {_phrase(u.heading + ' ' + ' '.join(cells))} "
        else:
            text = f" {_phrase(u.heading + ' ' + u.text + ' ' + ' '.join(str(v) for v in u.record.values()))} "
        if f" {phrase} " in issuer or f" {phrase} " in text:
            keep.append(u)
    return keep


# "Theo / Trong kế hoạch (…) của <unit>": the plan the answer is to come from is that unit's
# ("kế hoạch nào của Ban Chỉ đạo Trung ương" asks for a plan the loaded ones may cite)
_PLAN_OF = re.compile(r"\b(?:theo|trong|tai)\s+(?:ke hoach|kh)\b(?:\s+(?!nao\b|so\b)[^\s,?]+){0,8}?\s+(?:cua|do)\s+$")


def foreign_issuer(question: str, documents: dict[str, dict]) -> str:
    """"Theo kế hoạch của Sở Khoa học và Công nghệ, …": a plan of a unit that issued none of
    the loaded plans (the unit may well occur in them, as a partner), so not ours to answer."""
    issuers = {_phrase(str(m.get(k) or "")) for m in documents.values() for k in ("issuer", "parent_issuer")}
    issuers.discard("")
    for pos, phrase in _unit_names(question):
        if _PLAN_OF.search(vt.fold(question[max(0, pos - 70):pos]).lower()) \
                and not any(f" {phrase} " in f" {i} " or f" {i} " in f" {phrase} " for i in issuers):
            return phrase
    return ""


_PLACE_TITLE = re.compile(r"\b(?:tinh|thanh pho|tp) ([a-z]+(?: [a-z]+){0,2})\b")


def asked_provinces(question: str) -> list[str]:
    """Provinces the question is about: named after "tỉnh / thành phố" or capitalised
    ("tỉnh Sơn La", "ở Đà Nẵng"), not a common word that folds alike ("hòa bình")."""
    folded = " ".join(vt.syllables(vt.fold(question).lower()))
    named = _provinces_in(folded)
    if not named:
        return []
    titled = [m.group(1) for m in _PLACE_TITLE.finditer(folded)]
    capitalised = " ".join(vt.syllables(vt.fold(" ".join(
        w for w in re.findall(r"[^\W\d_]+", question) if w[0].isupper())).lower()))
    return [p for p in named if any(t.startswith(p) for t in titled)
            or (vt.has_diacritics(question) and re.search(rf"\b{p}\b", capitalised))]


def placed_units(question: str, units: list, documents: dict[str, dict]) -> list:
    """A question about a province ("tỉnh Sơn La đã hoàn thành … bao nhiêu") is answered only
    by evidence that names it, or from a plan of that province: a national figure or another
    province's row does not answer for it."""
    places = asked_provinces(question)
    if not places:
        return units
    where = _plan_phrases(documents, ("issuer", "parent_issuer", "title"))
    keep = []
    for u in units:
        text = f"{where(u.doc_id)} {_phrase(f'{u.heading} {stated_text(u)}')}"
        if all(re.search(rf"\b{p}\b", text) for p in places):
            keep.append(u)
    return keep


def _plan_phrases(documents: dict[str, dict], keys: tuple[str, ...]):
    """doc id → those metadata fields of the plan as one folded phrase, computed once per
    plan (not once per unit)."""
    cache: dict[str, str] = {}

    def of(doc_id: str) -> str:
        if doc_id not in cache:
            meta = documents.get(doc_id, {})
            cache[doc_id] = " ".join(_phrase(str(meta.get(k) or "")) for k in keys)
        return cache[doc_id]
    return of


def _phrase(text: str) -> str:
    """Folded syllables, abbreviations expanded and "và" left out ("Sở KHCN" and "Sở Khoa học và
    Công nghệ" read alike)."""
    out = []
    for w in vt.syllables(vt.fold(text)):
        out += [x for x in vt.ABBREVIATIONS.get(w, w).split() if x != "va"]
    return " ".join(out)


def _doc_phrases(snap: IndexSnapshot, doc_id: str) -> str:
    """A document's text as folded syllables (abbreviations expanded), kept with its index
    generation (a replaced plan lives in a new generation, so it is never served stale)."""
    return snap.memo(("phrases", doc_id), lambda: f" {_phrase(snap.document_text(doc_id))} ")


def _doc_folded(snap: IndexSnapshot, doc_id: str) -> str:
    """A document's text accent-folded and lower-cased, kept with its index generation."""
    return snap.memo(("folded", doc_id), lambda: vt.fold(snap.document_text(doc_id)).lower())


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def unknown_years(question: str, snap: IndexSnapshot, doc_ids: list[str]) -> list[str]:
    """Years the question names ("giai đoạn 2031-2035", "đến năm 2050") that none of
    ``doc_ids`` (the plans it may be about) writes: the plans say nothing about that time."""
    asked = _YEAR.findall(question)
    if not asked:
        return []
    written: set[str] = set()
    for d in doc_ids:
        written |= snap.memo(("years", d), lambda d=d: set(_YEAR.findall(
            snap.document_text(d) + " " + " ".join(str(v) for v in snap.documents[d].values()))))
    return [y for y in dict.fromkeys(asked) if y not in written]


def _loaded_numbers(documents: dict[str, dict]) -> set[str]:
    """The leading numbers of the loaded documents' numbers ("3469" of "3469/KH-SNV"), with those
    of the parts a compilation file holds."""
    return {n for meta in documents.values() for n in map(leading_number, numbers_of(meta)) if n}


def foreign_documents(folded_question: str, documents: dict[str, dict]) -> list[str]:
    """Document numbers the question asks about ("kế hoạch 348/KH-UBND do ai ký?") that no
    loaded plan has. Numbers after "triển khai / thực hiện / theo / căn cứ" name what a
    plan implements ("kế hoạch triển khai Nghị quyết 71/NQ-CP"), not the plan itself."""
    known = _loaded_numbers(documents)
    subject = re.split(r"\b(?:trien khai|thuc hien|theo|can cu|cu the hoa)\b", folded_question)[0]
    return [n for m in _DOC_NUMBER.finditer(subject) if (n := m.group(1) or m.group(2)) not in known]


_DOC_KINDS = ("quyet dinh", "cong van", "thong bao", "chi thi", "nghi dinh", "thong tu", "to trinh", "de an",
              "quy che", "bao cao", "nghi quyet", "ke hoach", "chuong trinh", "ket luan")
_KINDS = "|".join(_DOC_KINDS)         # the kinds as a regex alternation


def foreign_subject(folded_question: str, snap: IndexSnapshot) -> str:
    """The document a question opens with ("Kế hoạch số 02-KH/BCĐTW xác định …") when no loaded
    document is it or contains it (no line of theirs heads its text, as "| Số: 20-NQ/TW |"
    does in a compilation): what that document says is not in the plans, which only cite it.
    "" when the question opens otherwise, or asks which document it implements."""
    m = re.match(rf"\s*(?:{_KINDS}|van ban|kh|nq|qd)\s+(?:so\s+)?(\d{{1,5}})\s*[/-]\s*(?:(?:19|20)\d\d\s*/\s*)?[a-z]",
                 without_courtesy(folded_question))
    if not m or cited_kind(folded_question):
        return ""
    n = m.group(1)
    if n in _loaded_numbers(snap.documents):
        return ""
    # a heading names the document by kind or "Số:"; a bare "03/NQ-CP." opening a line is a
    # sentence wrapped after "Nghị quyết số"
    heading = re.compile(rf"^\W{{0,6}}(?:(?:{_KINDS})\s+(?:so:?\s*)?|so:?\s*){n}\s*\\?[/-]", re.M)
    for d in snap.primary_documents():
        if heading.search(_doc_folded(snap, d)):
            return ""
    return m.group(0).strip()


_DATE = r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2} thang \d{1,2} nam \d{4})"     # "23/5/2025", "23 tháng 5 năm 2025"


def naming_units(units: list, heads: list[str], dated_within: int | None = None) -> list:
    """The units whose (folded) text names another document — a pattern of ``heads`` — and,
    with ``dated_within``, gives a date at most that many characters after it in the same
    clause: only such text can say what the plans' own header cannot."""
    tail = rf"[^;\n]{{0,{dated_within}}}{_DATE}" if dated_within is not None else ""
    patterns = [re.compile(head + tail) for head in heads]
    keep = []
    for u in units:
        text = vt.fold(u.text).lower()
        if any(p.search(text) for p in patterns):
            keep.append(u)
    return keep


_APPENDIX_Q = re.compile(r"\bphu luc (so )?([0-9]+|[ivx]+)\b")


def _appendix_rx(folded_question: str) -> re.Pattern | None:
    """"Phụ lục 2 / II / 02" in any of its spellings, or None when the question names none."""
    m = _APPENDIX_Q.search(folded_question)
    if not m:
        return None
    n = m.group(2).lstrip("0") or "0"
    alt = {"1": "i", "2": "ii", "3": "iii", "4": "iv", "5": "v"}
    want = {n, alt.get(n, n), {v: k for k, v in alt.items()}.get(n, n)}
    return re.compile(rf"\b(phu luc|pl) ?(so )?0?({'|'.join(sorted(want))})\b")


def missing_appendix(folded_question: str, snap: IndexSnapshot, doc_ids: list[str]) -> str:
    """"Phụ lục 3 … gồm gì" when none of ``doc_ids`` even mentions an appendix with that number."""
    rx = _appendix_rx(folded_question)
    if rx is None or not doc_ids:
        return ""
    if any(rx.search(_doc_folded(snap, d)) for d in doc_ids):
        return ""
    return _APPENDIX_Q.search(folded_question).group(0)


def appendix_units(folded_question: str, units: list, snap: IndexSnapshot, scope: list[str]) -> list:
    """A table row of another appendix than the one the question names cannot answer it; and a
    plan the question names that only refers to "Phụ lục 1 kèm theo" without containing it (no
    line opens with that heading) answers a question about that appendix only from text naming it."""
    rx = _appendix_rx(folded_question)
    if rx is None:
        return units
    # a table row of another appendix of its plan ("Phụ lục 2" asked, the row in Phụ lục 1) is another row
    units = [u for u in units if u.kind not in ("task", "indicator") or not _row_appendix(u)
             or rx.search(f"phu luc {_row_appendix(u)}")]
    if not scope:
        return units
    heading = re.compile(r"^\W{0,4}" + rx.pattern[2:], re.M)
    has = {d: bool(heading.search(_doc_folded(snap, d))) for d in {u.doc_id for u in units}}
    return [u for u in units if has[u.doc_id] or rx.search(vt.fold(f"{u.heading} {u.text}").lower())]


def _row_appendix(u) -> str:
    """The number of the appendix a table row lies in ("2" for section "PL2"), "" if none."""
    m = re.fullmatch(r"PL(\d+)", (u.record.get("section_path") or u.section_path or [""])[0])
    return m.group(1) if m else ""


def foreign_kind(folded_question: str, metas: list[dict]) -> str:
    """The kind of document a meta question opens with ("Quyết định thành lập … ký ngày
    nào?") when it is not the kind of any plan it may be about (or of a document a compilation
    file holds): it asks about another document, whose header the plans do not have ("" when
    it is theirs)."""
    head = " ".join(folded_question.split()[:2])
    kind = next((k for k in _DOC_KINDS if head == k), "")
    if not kind:
        return ""
    kinds = {vt.compact(x.get("doc_type") or "") for m in metas for x in [m, *(m.get("parts") or ())]}
    return "" if kind in kinds else kind


def cited_kind(folded_question: str) -> str:
    """The kind of document a meta question asks the plan to name ("căn cứ nghị định nào",
    "thực hiện kế hoạch số mấy"; "văn bản nào": any kind) as a regex: a document the plan
    cites, not the plan itself ("" if none)."""
    m = re.search(rf"\b(?:{BASED_ON}|theo)\s+(?:vao\s+)?(?:cac |nhung )?({_KINDS}|van ban)"
                  rf"\s+(?:so\s+)?(?:nao|may|gi|bao nhieu)\b", folded_question)
    return "" if not m else f"(?:{_KINDS}|van ban)" if m.group(1) == "van ban" else m.group(1)


def _trim_generic(syl: list[str]) -> list[str]:
    while syl and syl[0] in _GENERIC and len(syl) > 2:
        syl = syl[1:]
    return syl


# a line that is only a unit's name ("Phòng Cải cách hành chính và Văn thư lưu trữ")
_BARE_UNIT = re.compile(rf"{_ORG}\b[^\W\d_]*(?:[ \t–-]+[^\W\d_]+){{0,10}}\s*$")


def answerable_units(q, units: list, doc_years: dict[str, str] | None = None) -> list:
    """The units that can answer the question's type, in their order ([] = none can).

    - a question asking only *when* needs a deadline (task row) or a time expression;
    - one asking only who *cooperates* cannot be answered by a task row without partners;
    - a count in the question ("trong 5 năm") must not be contradicted ("trong 3 năm");
    - "tại sao / vì sao" is not answered by a table row;
    - a figure asked for given years needs an indicator with one of those years or
      text (sentence or its heading) naming one;
    - "tỷ lệ <X>" needs evidence that talks about X.
    """
    keep = list(units)
    if not {"who", "who_partner", "meta"} & set(q.intents):   # a heading that only names a unit says nothing else
        keep = [u for u in keep if not (u.kind == "sentence" and _BARE_UNIT.match(u.text.strip()))]
    if q.intents == ["open"]:   # a sentence the question quotes whole (its section's title) tells it nothing
        asked = set(vt.syllables(q.folded))
        keep = [u for u in keep if u.kind != "sentence" or not set(vt.syllables(vt.fold(u.text).lower())) <= asked]
    if q.intents == ["when"]:
        keep = [u for u in keep if _has_time(u, q.folded) and not _only_in_condition(u, q.terms)]
    if "who" in q.intents:      # "- Chủ trì rà soát …" under a heading naming no unit: it says what, not who
        keep = [u for u in keep if not (u.kind == "sentence" and SUBJECTLESS.match(u.text) and not _names_unit(u))]
    if "who_partner" in q.intents and "who" not in q.intents:   # "phối hợp với ai" needs partners, not only a lead
        # a row without partners names one only as "phối hợp với X", or as the task the
        # question itself quotes ("phối hợp triển khai Đề án 06 … xong năm nào"); in "Phối hợp
        # ứng dụng phần mềm …" its lead cooperates with no one named
        quoted = re.search(r"\bphoi hop (?!voi\b|cung\b)(\w+)", q.folded)
        row_partner = r"\bphoi hop (voi|cung" + (f"|{quoted.group(1)}" if quoted else "") + r")\b"
        keep = [u for u in keep if u.record.get("partners") or (
            re.search(row_partner, vt.fold(stated_text(u)).lower()) if u.kind == "task"
            else re.search(r"\bphoi hop\b", vt.fold(f"{u.heading} {u.text}").lower()))]
    keep = [u for u in keep if not _contradicts_quantity(u, q.folded) and not _other_level(u, q.folded)
            and not _other_field(u, q.folded) and not _other_number(u, q.folded)]
    for period in ("quarterly", "monthly"):     # "báo cáo hàng tháng gửi về đâu": not the quarterly report's text
        ask, have = _CONTACT[period]
        if re.search(ask, q.folded):
            keep = [u for u in keep if re.search(have, vt.fold(stated_text(u)).lower())]
    if re.search(r"\b(tai sao|vi sao|ly do)\b", q.folded):     # a table row says who/when/what, never why
        keep = [u for u in keep if u.kind not in ("task", "indicator")]
    if asks_progress(q.folded) and any(_reports_progress(u) for u in keep):
        # a progress report's row has the answer; the plan's own row only has the deadline
        keep = [u for u in keep if u.kind != "task" or _reports_progress(u)]
    doc_years = doc_years or {}
    if "number" in q.intents and q.years:
        keep = [u for u in keep if _has_year(u, q.years, doc_years)]
    horizon = _horizon_years(q.folded)
    if horizon:                 # "đề án đến năm 2035" is not the row about "đến năm 2030"
        keep = [u for u in keep if not _other_horizon(u, horizon)]
    m = _RATE_Q.search(_without_stop_phrases(q.folded))
    if "number" in q.intents and m:
        first, second = m.group(1).split()
        # "tỷ lệ TTHC …"; "tốc độ tăng trưởng GRDP năm 2026": a name and a function word
        head = vt.ABBREVIATIONS.get(first) or (first if second in STOPWORDS else f"{first} {second}")
        keep = [u for u in keep if head in _unit_folded(u)]
    return keep


_QUANTITY = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(%|[a-z]+ [a-z]+)")


_LEVEL = re.compile(r"\bcap (tinh|huyen|xa|trung uong|bo|so)\b|\bpham vi (toan quoc|ca nuoc)\b")
# the world regions a target ranks a country in ("nhóm 3 nước dẫn đầu Đông Nam Á")
_REGION = re.compile(r"\b(dong nam a|asean|chau a|chau au|chau phi|the gioi)\b")
_REGION_SAME = {"asean": "dong nam a"}
# a school level ("các trường THPT" is not answered by a row about "Tiểu học, THCS")
_SCHOOL = re.compile(r"\b(mam non|tieu hoc|thcs|thpt|trung hoc co so|trung hoc pho thong|cao dang|dai hoc)\b")
_SCHOOL_SAME = {"trung hoc co so": "thcs", "trung hoc pho thong": "thpt"}
# a quarter ("doanh số quý II/2025" is not a figure for "Quý I/2025")
_QUARTER = re.compile(r"\bquy (iv|iii|ii|i|[1-4])\b")
_QUARTER_SAME = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}
# the grade of a certificate, skill or course ("chứng chỉ quản trị dữ liệu cơ bản / nâng cao");
# "nâng cao" before its object is a verb ("nâng cao kỹ năng số") and names no grade
_GRADE = re.compile(r"\b(?:chung chi|trinh do|ky nang|cap do|khoa|lop)(?: [a-z]+){0,4}? (co ban|nang cao)\b")


def _other_level(u, folded_question: str) -> bool:
    """The question is about one administrative level ("cấp huyện"), world region ("dẫn đầu
    châu Á"), grade ("chứng chỉ … nâng cao"), school level ("trường THPT") or quarter ("quý II")
    and the unit speaks of others ("cấp tỉnh và cấp xã"; "Đông Nam Á … thế giới"; "chứng chỉ …
    cơ bản"; "Tiểu học, THCS"; "Quý I/2025") but never of it."""
    text = vt.fold(f"{u.heading} {u.text}").lower()
    for rx, same in ((_LEVEL, {}), (_REGION, _REGION_SAME), (_GRADE, {}), (_SCHOOL, _SCHOOL_SAME),
                     (_QUARTER, _QUARTER_SAME)):
        asked = {same.get(x, x) for x in _found(rx, folded_question)}
        if asked:
            own = {same.get(x, x) for x in _found(rx, text)}
            if own and not own & asked:
                return True
    return False


def _found(rx: re.Pattern, text: str) -> list[str]:
    """The first non-empty group of every match (a pattern's alternatives each capture one)."""
    return [next(g for g in m.groups() if g) for m in rx.finditer(text)]


_FIELD = re.compile(r"\blinh vuc ([a-z]+) ([a-z]+)")
# "lĩnh vực trọng điểm / phụ trách / của mình / nào", "các ngành, lĩnh vực phải chiếm …": no field named
_NOT_FIELDS = set("nao trong phu minh nganh bao cua duoc khac lien co da va phai can se chiem ma".split())


def _other_number(u, folded_question: str) -> bool:
    """The question names a document by its code ("Kế hoạch số 06-KH/BCĐTW") and the unit names
    documents of that series ("04-KH/BCĐTW") but never the question's number."""
    asked = _codes(folded_question)
    if not asked:
        return False
    own = _codes(vt.fold(f"{u.heading} {u.text}").lower())
    return any(any(t == tail for _, t in own) and (n, tail) not in own for n, tail in asked)


def _other_field(u, folded_question: str) -> bool:
    """The question is about one field ("Đề án chuyển đổi số trong lĩnh vực tư pháp") that the
    unit's words and heading never name ("Đề án chuyển đổi số trong hoạt động giao thông").
    A row's lead cell ("Bộ Văn hóa, Thể thao và Du lịch") is not among its words; a field written
    as an abbreviation ("lĩnh vực KHCN") is written many ways: not checked."""
    m = _FIELD.search(" ".join(vt.syllables(folded_question)))
    if not m or m.group(1) in _NOT_FIELDS or m.group(2) == "nao" or m.group(1) in vt.ABBREVIATIONS:
        return False
    return f"{m.group(1)} {m.group(2)}" not in " ".join(vt.syllables(vt.fold(f"{u.heading} {u.text}").lower()))


def _contradicts_quantity(u, folded_question: str) -> bool:
    """The question counts something ("trong 5 năm gần đây") that the unit counts with
    another number ("trong 3 năm gần đây") and never with the question's."""
    return contradicts_quantity(lambda: f"{u.text} {u.record.get('deadline_text', '')}", folded_question)


def contradicts_quantity(evidence, folded_question: str) -> bool:
    """The question counts something the evidence (a text, or a function giving it) counts
    with other numbers only: "05 nhiệm vụ quá hạn" against "02 nhiệm vụ đang thực hiện quá hạn"."""
    text = None
    for m in _QUANTITY.finditer(folded_question):
        num, what = m.group(1), m.group(2)
        if re.fullmatch(r"20\d\d", num) or what == "%":
            continue
        if NUMBERED.search(folded_question[max(0, m.start() - 30):m.start()]):
            continue        # "KH 3469 báo cáo …": a document's number, not a count of reports
        if text is None:
            text = vt.fold(evidence() if callable(evidence) else evidence).lower()
        # "05 nhiệm vụ" as two words, or "mô hình 5 lớp" as one that is no stopword
        nouns = [what] + [w for w in what.split()[:1] if w not in STOPWORDS and len(w) > 1]
        for noun in nouns:
            found = re.findall(rf"\b(\d+(?:[.,]\d+)?)\s*{re.escape(noun)}\b", text)
            if found:
                if num not in found and num.lstrip("0") not in {f.lstrip("0") for f in found}:
                    return True
                break
    return False


# "đã thành lập xong … chưa", "đến nay đã …", "hiện có bao nhiêu …": what has been done or what
# exists now, which a plan (what is to be done) does not state
_STATE_Q = re.compile(r"\bda\b[^?]{0,60}\b(xong|hoan thanh|thanh lap|tich hop|thuc hien|trien khai|ban hanh)\b"
                      r"[^?]{0,60}\bchua\b|\bhien (co|nay co|dang co)\b|\bden nay\b[^?]{0,40}\bda\b")
_FORWARD_KINDS = {"ke hoach", "nghi quyet", "chuong trinh", "de an", "quyet dinh", "phu luc", "chi thi", "ket luan"}


def asks_state_of_plans(folded_question: str, units: list, documents: dict[str, dict]) -> bool:
    """The question asks what has been done or exists now, and the evidence comes only from
    documents that say what is to be done (plans, resolutions: by their kind)."""
    if not _STATE_Q.search(folded_question) or not units:
        return False
    kinds = {vt.fold(documents[u.doc_id].get("doc_type") or "").lower() for u in units}
    return kinds <= _FORWARD_KINDS and not any(_reports_progress(u) for u in units)


def _reports_progress(u) -> bool:
    """A task row of a progress report: its note holds the "Tiến độ" / "Kết quả hiện nay" cells."""
    return u.kind == "task" and bool(re.search(r"\b(tien do|ket qua (hien nay|dat duoc|thuc hien)|tinh hinh|trang thai)\b",
                                               vt.fold(u.record.get("note", "")).lower()))


def _without_stop_phrases(folded: str) -> str:
    return re.sub(rf"{_RATE} (phan tram|la|cua|bao nhieu|may|nao|gi|dat|muc)\b", " ", folded)


def _unit_folded(u) -> str:
    return " ".join(vt.syllables(vt.expand_abbreviations(vt.fold(f"{u.heading} {u.text}"))))


# the date a cited document was issued ("văn bản số 15000-CV/VPTW ngày 23 tháng 5 năm 2025",
# "Nghị quyết số 57-NQ/TW ngày 22/12/2024"): when that document was signed, never a deadline
_ISSUED_ON = re.compile(rf"\b\d[\w.-]*/[\w/.-]+,?\s+ngay\s+{_DATE}")


def _has_time(u, folded_question: str) -> bool:
    """A deadline, or a time expression the question does not already contain (asked for a
    deadline, the issue date of a document the text cites is none)."""
    if u.kind == "task":
        return bool(u.record.get("deadline_text"))
    if u.kind == "indicator":       # "đạt 100% từ mốc năm nào": its year columns are the times
        return any(str(y).isdigit() for y in (u.record.get("targets") or {}))
    q = re.sub(r"\s+", " ", folded_question)
    deadline = bool(_DEADLINE_Q.search(q))       # "xong trước thời hạn nào": a how-often word is no deadline
    # a target sentence takes its time from its own heading ("a) Tầm nhìn đến năm 2030")
    own = f"{u.heading.split('›')[-1] if '›' in u.heading else ''} {u.text}"
    own_folded = vt.fold(own).lower()
    return any(re.sub(r"\s+", " ", m.group(0)) not in q and not (deadline and _FREQUENCY.fullmatch(m.group(0)))
               for m in _TIME_E.finditer(_ISSUED_ON.sub(" ", own_folded) if deadline else own_folded))


def _sections(heading: str) -> str:
    """A unit's heading path without the plan's label (its first segment)."""
    return heading.split("›", 1)[1] if "›" in heading else ""


def _names_unit(u) -> bool:
    """The unit's text or its section headings name a unit ("1.4. Phòng Thi đua khen thưởng");
    the plan's own label opening every heading path does not count."""
    return bool(_ORG_NAME.search(f"{_sections(u.heading)} {u.text}"))


_CONDITION = re.compile(r"\bsau khi\b[^.;:]*")


def _only_in_condition(u, terms: list[str]) -> bool:
    """"Khi nào tòa nhà làm việc đi vào hoạt động?": a task done "sau khi tòa nhà làm việc đi
    vào hoạt động" is timed by that event; its deadline is not the event's time. True when the
    question's words the unit has are all in such a "sau khi" clause (three at least)."""
    text = vt.fold(stated_text(u)).lower()
    clause = " ".join(m.group(0) for m in _CONDITION.finditer(text))
    if not clause:
        return False
    rest = set(vt.syllables(_CONDITION.sub(" ", text)))
    inside = set(vt.syllables(clause))
    asked = set(terms)
    return len(asked & inside - rest) >= 3 and not asked & rest


def gives_asked_detail(u, q) -> bool:
    """Another plan's prose joining an answer must itself give what is asked: a time for
    *when*, a named unit (in the sentence or its heading) for *who*, a number for a figure."""
    if u.kind != "sentence":
        return True
    if "when" in q.intents and not _has_time(u, q.folded):
        return False
    if {"who", "who_partner"} & set(q.intents) and not _names_unit(u):
        return False
    if "number" in q.intents and not re.search(r"(?<![\d/])(?!20\d\d\b)\d+", u.text):
        return False
    return True


_DEADLINE_Q = re.compile(r"\b(xong|hoan thanh|han chot|thoi han|truoc (ngay|thoi han|thoi diem))\b")
_FREQUENCY = re.compile(r"hang (nam|thang|quy|tuan)|thuong xuyen|dinh ky")


_HORIZON = re.compile(r"\b(?:den|toi) nam (20\d\d)\b|\bgiai doan (?:20\d\d\s*[-–]\s*)?(?:den nam )?(20\d\d)\b")


def _horizon_years(folded: str) -> set[str]:
    """The horizon years a folded text names ("đến năm 2030", "giai đoạn 2026-2030" → 2030)."""
    return {y for pair in _HORIZON.findall(folded) for y in pair if y}


def _other_horizon(u, asked: set[str]) -> bool:
    """The unit names a horizon year ("đến năm 2030", "giai đoạn 2026-2030") and not the
    question's."""
    text = vt.fold(f"{u.heading} {u.text} {u.record.get('deadline_text', '')}").lower()
    own = _horizon_years(text)
    return bool(own) and not own & asked and not any(y in text for y in asked)


def _has_year(u, years: list[str], doc_years: dict[str, str]) -> bool:
    targets = (u.record.get("targets") or {}) if u.kind == "indicator" else {}
    if any(str(y).isdigit() for y in targets):  # an indicator with year columns: one must be asked
        return any(y in targets for y in years)
    # a 2026 plan states its 2026 targets without the year (not when another year is asked too:
    # "kế hoạch 2026 …, đến năm 2030 … đạt bao nhiêu" asks the 2030 figure)
    # nor when the unit names a horizon of its own ("a) Tầm nhìn đến năm 2030": that figure is 2030's)
    if doc_years.get(u.doc_id) in years and len(set(years)) == 1 and not _own_horizon(u):
        return True
    if u.kind == "indicator":
        return False
    return any(y in f"{u.heading} {u.text} {u.record.get('deadline_text', '')}" for y in years)


def _own_horizon(u) -> set[str]:
    """The horizon years a unit or its heading names ("a) Tầm nhìn đến năm 2030")."""
    return _horizon_years(vt.fold(f"{u.heading} {u.text}").lower())


_LAYOUT_FIELDS = {"doc_id", "section_path", "no", "span", "deadline"}    # where a row is, not what it says


def stated_text(u) -> str:
    """What a unit states: its text and its record's cells (an indicator's targets as
    "year: value"), without the row number, spans and derived fields — "no": "17" beside
    "cán bộ" is no count of cán bộ."""
    cells = []
    for k, v in u.record.items():
        if k in _LAYOUT_FIELDS:
            continue
        if isinstance(v, dict):
            cells += [f"{y}: {x}" for y, x in v.items()]
        elif isinstance(v, str):
            cells.append(v)
    return " ".join([u.text, *cells])


# "chủ trì xây dựng <thing> …": the first two syllables of what is to be built, set up or equipped
# ("nâng cấp" is left out: an upgrade names an existing system, which staff call many ways)
_MAKES = re.compile(r"\b(?:xay dung|thanh lap|lap dat|trang bi)\s+(?:xong )?(?:(?:cac|nhung|mot|moi|he thong) )?"
                    r"([a-z]+ [a-z]+)\b")
# what follows the thing set up, up to its topic: "(ban chỉ) đạo sở về <nhân lực> …"
_TOPIC = re.compile(r"(?:\s+[a-z]+){0,3}?\s+ve\s+([a-z]+ [a-z]+)\b")
_OBJECT_STOP = set("de nham cho theo tai cua va hoac xong duoc nay ay".split())


def object_missing(folded_question: str, evidence_text: str, near: int = 8) -> bool:
    """The thing the question has built ("xây dựng khu công nghệ thông tin tập trung") is not
    named by the evidence: the first two syllables of its name (its head) never occur there in
    order, the second within ``near`` syllables of the first ("Thành lập Đoàn công tác liên ngành
    và tổ chức kiểm tra" names "đoàn kiểm tra"; "thu hút, tuyển dụng … viên chức" no "thư viện"),
    or the topic the question gives it ("Ban Chỉ đạo … về nhân lực số") is not named."""
    m = _MAKES.search(folded_question)
    if not m:
        return False
    head = m.group(1).split()
    # a function word ("xây dựng để …"), an abbreviation or an acronym ("BCĐ", no vowel): not checked
    if any(w in STOPWORDS or w in _OBJECT_STOP or w in vt.ABBREVIATIONS or not re.search(r"[aeiouy]", w)
           for w in head):
        return False
    words = vt.syllables(vt.expand_abbreviations(vt.fold(evidence_text).lower()))
    first, second = head
    if not any(w == first and second in words[i + 1:i + 1 + near] for i, w in enumerate(words)):
        return True
    # "thành lập Ban Chỉ đạo Sở về nhân lực số" of a row setting up the one "về dữ liệu": the
    # body's topic, when the question gives it, is named too
    topic = _TOPIC.match(folded_question[m.end():])
    if not topic or topic.group(1).split()[0] in STOPWORDS:
        return False
    return f" {topic.group(1)} " not in f" {' '.join(words)} "


# a law named by its title ("Luật Giao dịch điện tử" → "giao dich"), not "luật nào / hóa / pháp"
_LAW_Q = re.compile(r"(?<!phap )(?<!lam )(?<!bo )(?<!ky )\bluat (?!(?:nao|gi|so|hoa|phap|su|le|cua|nay|do|va|cac|moi|ve|cho|thue|theo)\b)"
                    r"([a-z]+ (?!(?:nao|gi|ve|cho|cua)\b)[a-z]+)")
# the kind of certificate asked: its first two syllables ("chứng chỉ an toàn thông tin" → "an toan")
_CERTIFICATE = re.compile(r"\bchung (chi|nhan) (?:ve )?(?!(?:co ban|nang cao|nao|gi|do|nay|tren|cho|theo)\b)([a-z]+ [a-z]+)")
# a term that numbers its kind: "5G", "4G", "IPv6", "Web 3.0" (a number then letters or letters then one)
_NUMBERED_TERM = re.compile(r"(?<![\w./-])(?:(\d+)([a-z]+)|([a-z]+)(\d+))(?![\w/-])")


_DOC_SHORTHAND = set("nq qd nd kh tt ct kl cv tb bc".split())      # "NQ57" names a document: _other_number's


def _numbered_terms(text: str) -> set[tuple[str, str]]:
    terms = {(m.group(2) or m.group(3), m.group(1) or m.group(4)) for m in _NUMBERED_TERM.finditer(text)}
    return {(name, n) for name, n in terms if name not in _DOC_SHORTHAND}


def _other_generation(folded_question: str, folded_evidence: str) -> bool:
    """The question names a numbered term ("6G") that the evidence never names, though it names
    the same term with another number ("5G")."""
    own = _numbered_terms(folded_evidence)
    return any((name, n) not in own and any(o == name for o, _ in own)
               for name, n in _numbered_terms(folded_question))


def type_mismatch(folded_question: str, evidence_text: str) -> str | None:
    """Why this evidence cannot answer the question's type (None when it can)."""
    ev = vt.fold(evidence_text)
    words = " ".join(vt.syllables(ev.lower()))      # the evidence's syllables, punctuation dropped
    if _MONEY_Q.search(folded_question) and not _SHARE_Q.search(folded_question) and not _MONEY_E.search(ev):
        return "money"
    if person_missing(folded_question, evidence_text):
        return "person"
    if _SHARE_Q.search(folded_question) and re.search(r"\b(bao nhieu|may)\b", folded_question) \
            and not re.search(r"%|\bphan tram\b", ev.lower()):
        return "share"          # "tỷ lệ … phải đạt bao nhiêu" of a row that states no figure
    for site in re.findall(r"\b[\w-]+(?:\.[\w-]+)*\.(?:gov\.vn|vn|com|org|net)\b", folded_question):
        if site not in ev.lower():
            return "site"       # "hệ thống bcnq57.nghean.gov.vn do ai vận hành": evidence about that site
    for figure in re.findall(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*%", folded_question):
        if not re.search(rf"(?<![\d.,]){re.escape(figure)}\s*%", ev):
            return "stated share"   # "chỉ tiêu … đạt 98% do phòng nào theo dõi" of a row targeting 95%
    m = _LAW_Q.search(folded_question)
    if m and not re.search(rf"\bluat {m.group(1)}\b", words):
        return "law"            # "thẩm tra Luật Giao dịch điện tử" of a text naming other laws
    m = _CERTIFICATE.search(folded_question)
    if m and re.search(r"\bchung (chi|nhan)\b", ev.lower()) and m.group(2) not in words:
        return "certificate"    # "chứng chỉ an toàn thông tin" of a target for "chứng chỉ quản trị dữ liệu"
    if _other_generation(folded_question, ev.lower()):
        return "generation"     # "phủ sóng 6G" of a sentence about 5G
    kind = _DOC_KIND_Q.search(folded_question)
    if kind and not re.search(rf"\b{kind.group(1)} (so )?\d", ev) \
            and not re.search(rf"(?<!\w){_DOC_KIND_NAMES[kind.group(1)]} [A-ZĐ]", evidence_text):
        return "document"       # "thông tư nào quy định …": a sentence naming no such document
    post = _POST_Q.search(folded_question)
    if post:
        # the post and the body it heads ("Chủ tịch Hội đồng Tư vấn …": "hội đồng tư vấn")
        if post.group(1) not in words or _post_body(folded_question[post.end():]) not in words:
            return "post"
    if _COMPANY_Q.search(folded_question) and not _COMPANY_E.search(ev.lower()):
        return "company"
    if _PLACE_Q.search(folded_question) and not _PLACE_E.search(evidence_text):
        return "named place"
    for kind, (ask, have) in _CONTACT.items():          # an address, website, phone, e-mail, sanction
        if re.search(ask, folded_question) and not re.search(have, ev.lower()):
            return kind
    if _besides_only(folded_question, ev):
        return "besides"
    m = _COUNT_Q.search(folded_question)
    asked = m and (m.group(1) or m.group(2))
    if asked and asked != "phan tram":
        first = asked.split()[0]
        if first in _DURATIONS:
            if not re.search(rf"\b\d+\s*{first}\b", ev.lower()):
                return "count"
            return None
        noun = []
        if asked in _COMPOUND_NOUNS:
            noun = [asked]
        for w in [] if noun else asked.split():    # the counted noun: words up to the first function word
            if w in _NOT_NOUNS or (w in STOPWORDS and w != "can") or w in ("va", "hoac"):
                break
            noun.append(w)
        if noun and not _counted(" ".join(noun), ev):
            return "count"
    if re.search(r"\bbao nhieu\b", folded_question) and not re.search(r"\d", ev) \
            and not _NUMERAL.search(evidence_text.lower()):
        return "figure"         # "… bao nhiêu" of a passage that states no number at all
    return None


# "Ngoài Nghị định 179, … còn căn cứ nghị định nào khác": another of the kind the question names
_BESIDES = re.compile(r"\bngoai\b(.{3,100}?)\bcon\b(.{0,60}?)\b(?:nao|gi|khac)\b")


# words that class units without being part of their names ("các tổ chức: Hội Nông dân, …")
_CLASSIFIERS = {"to chuc", "don vi", "co quan", "bo phan", "doi tuong", "nhiem vu", "noi dung"}


def _besides_only(folded_question: str, ev: str) -> bool:
    """"Ngoài X … còn <kind> nào": the kind shared by X and the asked item ("nghị định",
    "hệ thống") must occur in the evidence more often than in X itself — evidence naming
    only X names no other."""
    m = _BESIDES.search(folded_question)
    if not m:
        return False
    given = f" {' '.join(vt.syllables(m.group(1)))} "
    asked = vt.syllables(m.group(2))
    kind = next((f"{a} {b}" for a, b in zip(asked, asked[1:]) if f" {a} {b} " in given
                 and f"{a} {b}" not in _CLASSIFIERS), None)
    if kind is None:
        return False
    text = f" {' '.join(vt.syllables(ev.lower()))} "
    return text.count(f" {kind} ") <= given.count(f" {kind} ")


# "ba khu công nghệ cao", "mười nhiệm vụ": a count written in words (folded), right before the noun
_NUMBER_WORD = re.compile(r"\b(?:hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin)\s+$")


def _counted(noun: str, ev: str) -> bool:
    """The evidence gives a number (not a year, nor a share: "100% sản phẩm" counts none)
    within a few words of the counted noun, or a number word just before it ("ba khu")."""
    for m in re.finditer(_PEOPLE if noun == "nguoi" else rf"\b{re.escape(noun)}\b", ev):
        if _NUMBER_WORD.search(ev, 0, m.start()):
            return True
        window = ev[max(0, m.start() - 40):m.end() + 40]
        # not a year, a share, nor a document's number ("Nghị quyết số 57-NQ/TW đến cán bộ")
        if re.search(r"\b(?!20\d\d\b)\d+(?:[.,]\d+)?(?![\d.,]|\s*%|\s*[/-]\s*[A-Za-z])", window):
            return True
    return False


def person_missing(folded_question: str, text: str) -> bool:
    """The question asks for a person ("Chủ tịch HĐND xã … là ai", "ai ký") and the text names none.
    "Người ký … giữ chức vụ gì" asks a post, not a person."""
    return bool(_PERSON_Q.search(folded_question)) and not re.search(r"\bchuc (vu|danh|gi|nao)\b|\bgiu chuc\b",
                                                                     folded_question) \
        and not _has_person_name(text) and not _holder_named(folded_question, text)


def _holder_named(folded_question: str, text: str) -> bool:
    """"Trưởng ban … là ai" of "…, do đồng chí Tổng Bí thư làm Trưởng ban": the text names who holds
    the post asked about by the post they hold (the plans name officials by post, not by name)."""
    m = re.match(rf"\s*({_ROLE})\b", folded_question)
    return bool(m) and bool(re.search(rf"\bdo (?:dong chi )?[^.;]{{3,60}}\blam {m.group(1)}\b", vt.fold(text).lower()))


def _has_person_name(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text)
    for i, w in enumerate(words[:-1]):
        surname = w.lower() in _SURNAMES_ACCENTED if vt.has_diacritics(w) else vt.fold(w).lower() in _SURNAMES
        if w[0].isupper() and surname and words[i + 1][0].isupper() and not words[i + 1].isupper():   # not "Đảng Cộng"
            return True
    return False


def longest_run(words: list[str], text: str) -> int:
    """Length of the longest run of consecutive question syllables (``words``) in ``text``."""
    hay = f" {' '.join(vt.syllables(vt.fold(text)))} "
    best = 0
    for i in range(len(words)):
        j = i + best + 1
        while j <= len(words) and f" {' '.join(words[i:j])} " in hay:
            best = j - i
            j += 1
    return best


def same_task(folded_question: str, best, other, run: int = 4) -> bool:
    """Another plan's unit is the same task as the best one when it keeps the question's
    wording as the best one does: a run of ``run`` consecutive question syllables (or the
    best unit's whole run, if shorter). A plan copying a task from the upper plan keeps its
    phrase ("xây dựng đề án chuyển đổi số"); a different task only shares its words ("Đề án
    đánh giá mức độ hoàn thành nhiệm vụ chuyển đổi số")."""
    words = vt.syllables(folded_question)
    return longest_run(words, other.text) >= min(longest_run(words, best.text), run)
