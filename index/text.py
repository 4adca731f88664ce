"""The one Vietnamese text module, used by the write side (index/) and the read side (rag/).

- :func:`normalize` turns extracted text into the canonical text every span points into:
  NFC, no HTML tags or markdown emphasis, LaTeX math as symbols, lines that PDF
  extraction broke joined again.
- :func:`fold` removes diacritics (đ→d) and lower-cases, *one character for one
  character*, so an offset in folded text is the same offset in the original.
- :func:`syllables`, :func:`words`, :func:`bm25_tokens` give the tokens of both BM25
  fields; :func:`sentences` splits text into sentences with their spans.

``NORMALIZER_VERSION`` goes into the index manifest: change it whenever the output of
this module changes, so an old index is rebuilt instead of silently mismatching.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NORMALIZER_VERSION = "4"

# ---------------------------------------------------------------- accent folding

def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return base.lower() if len(base.lower()) == 1 else base
    low = ch.lower()
    return low if len(low) == 1 else ch


# Latin letters with diacritics live in these blocks; one translate table covers them.
_FOLD_TABLE = {cp: _fold_char(chr(cp)) for r in ((0x41, 0x250), (0x1E00, 0x1F00)) for cp in range(*r)}


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, keeping the length: ``len(fold(s)) == len(s)``.

    >>> fold("Thời hạn thành lập Ban Chỉ đạo")
    'thoi han thanh lap ban chi dao'
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)


_VI_MARKS = set("ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese diacritics (typed with accents)."""
    return any(c in _VI_MARKS for c in text.lower())


def diacritic_ratio(text: str) -> float:
    """Share of alphabetic characters that carry a Vietnamese mark (≈0.3 in normal text)."""
    letters = [c for c in text.lower() if c.isalpha()]
    if not letters:
        return 0.0
    return sum(c in _VI_MARKS for c in letters) / len(letters)


# ---------------------------------------------------------------- normalization

_TAG = re.compile(r"</?(?:[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_BR = re.compile(r"<br\s*/?>", re.I)
_BOLD = re.compile(r"\*\*|__")
# "Phụ lục 2**DANH MỤC**": emphasis glued between two words would join them once removed
_BOLD_GLUE = re.compile(r"(?<=[^\W_])(?:\*\*|__)(?=[^\W_])")
# docx→md converters escape punctuation ("1\.", "\-"); "*", "_" and "|" stay escaped on purpose
_MD_ESCAPE = re.compile(r"(?<!\\)\\([-.#+!()\[\]>])")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_LATEX_CMDS = {
    r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%", r"\times": "×",
    r"\approx": "≈", r"\neq": "≠", r"\pm": "±", r"\cdot": "·", r"\to": "→", r"\rightarrow": "→",
}
_LATEX_MATH = re.compile(r"\$([^$\n]{1,80})\$")
_LATEX_CMD = re.compile("|".join(re.escape(k) for k in sorted(_LATEX_CMDS, key=len, reverse=True)))
_SPACES = re.compile(r"[ \u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SENT_END = re.compile(r"[.:;!?…)\]”\"]$")
_VI_LOWER = re.compile(r"^[a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


def _latex_to_text(match: re.Match) -> str:
    body = _LATEX_CMD.sub(lambda m: _LATEX_CMDS[m.group(0)], match.group(1))
    body = re.sub(r"\\[a-zA-Z]+", "", body).replace("{", "").replace("}", "")
    body = re.sub(r"([≥≤≈≠±])\s*", r"\1 ", body)
    return re.sub(r"\s+", " ", body).strip()


def clean_inline(text: str) -> str:
    """Tags, markdown emphasis and LaTeX removed; NFC; spaces collapsed (newlines and tabs kept)."""
    text = unicodedata.normalize("NFC", text)
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _LATEX_MATH.sub(_latex_to_text, text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _BOLD_GLUE.sub(" ", text)
    text = _BOLD.sub("", text)
    text = _ITALIC.sub(r"\1", text)
    text = text.replace("\ufeff", "").replace("\u00ad", "")
    return _SPACES.sub(" ", text)


def _is_continuation(prev: str, nxt: str) -> str | None:
    """How to join ``nxt`` onto ``prev`` when PDF extraction broke one paragraph: " ", "" or None."""
    if not prev or not nxt or "\t" in prev or "\t" in nxt:
        return None
    letters = [c for c in prev if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return None                         # "KẾ HOẠCH" + "về …": a heading line, then the title
    if prev.endswith("-") and re.match(r"[A-ZĐ]{2}", nxt) and re.search(r"\d-$", prev):
        return ""                           # "Nghị quyết 57-" + "NQ/TW"
    if _VI_LOWER.match(nxt) and not re.match(r"^[a-zđ]\)\s", nxt):
        return " "                          # sentence goes on in lower case ("a) " starts an item)
    if not _SENT_END.search(prev) and prev.endswith(",") and not re.match(r"^(?:[-+•*]|\d+[.)]|[IVXLC]+\.)\s", nxt):
        return " "
    return None


def normalize(text: str) -> str:
    """Canonical document text: what the index stores and every span/quote points into.

    Idempotent: joining broken lines can complete a pattern the first pass could not see
    (a tag or a ``$…$`` formula split over two lines), so the pass repeats until nothing changes.
    """
    out = _normalize_once(text)
    for _ in range(4):
        again = _normalize_once(out)
        if again == out:
            break
        out = again
    return out


def _normalize_once(text: str) -> str:
    text = clean_inline(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [ln.rstrip() if "\t" in ln else ln.strip() for ln in text.split("\n")]
    out: list[str] = []
    pending_blank = 0
    for line in lines:
        if not line.strip():
            pending_blank += 1
            continue
        if out and pending_blank <= 3:
            joiner = _is_continuation(out[-1], line.lstrip())
            if joiner is not None:
                out[-1] = out[-1] + joiner + line.lstrip()
                pending_blank = 0
                continue
        if out and pending_blank:
            out.append("")
        out.append(line)
        pending_blank = 0
    return "\n".join(out).strip() + "\n" if out else ""


def compact(text: str) -> str:
    """Fold and collapse whitespace/punctuation: the form used to compare strings loosely."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w%≥≤/.,-]+", " ", fold(text))).strip()


# ---------------------------------------------------------------- abbreviations

# Common abbreviations of Vietnamese administrative writing (folded form → folded
# expansion). General language knowledge, not knowledge of any particular plan.
ABBREVIATIONS = {
    "tthc": "thu tuc hanh chinh", "cntt": "cong nghe thong tin", "khcn": "khoa hoc cong nghe",
    "kh&cn": "khoa hoc va cong nghe", "dmst": "doi moi sang tao", "cds": "chuyen doi so",
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "csdl": "co so du lieu",
    "attt": "an toan thong tin", "dvc": "dich vu cong", "dvctt": "dich vu cong truc tuyen",
    "vp": "van phong", "kh": "ke hoach", "nq": "nghi quyet", "qd": "quyet dinh", "nd": "nghi dinh",
    "dn": "doanh nghiep", "cb": "can bo", "cbcc": "can bo cong chuc",
    "ccvc": "cong chuc vien chuc", "cbccvc": "can bo cong chuc vien chuc", "cchc": "cai cach hanh chinh",
    "ttdt": "thong tin dien tu", "snv": "so noi vu", "vh-xh": "van hoa xa hoi", "kh-tc": "ke hoach tai chinh",
    "hc-qt": "hanh chinh quan tri", "cm": "chuyen mon", "mttq": "mat tran to quoc",
    "ioc": "trung tam giam sat dieu hanh thong minh", "tp": "thanh pho", "ttg": "thu tuong",
    # ministries and departments written with "&" or "-" ("Bộ KH&CN", "Sở KH-CN", "Sở GD&ĐT")
    "kh-cn": "khoa hoc va cong nghe", "tt&tt": "thong tin va truyen thong", "tt-tt": "thong tin va truyen thong",
    "tttt": "thong tin va truyen thong", "gddt": "giao duc va dao tao", "tnmt": "tai nguyen va moi truong",
    "gd&dt": "giao duc va dao tao", "gd-dt": "giao duc va dao tao", "kh&dt": "ke hoach va dau tu",
    "kh-dt": "ke hoach va dau tu", "tn&mt": "tai nguyen va moi truong", "tn-mt": "tai nguyen va moi truong",
    "nn&ptnt": "nong nghiep va phat trien nong thon", "nn-ptnt": "nong nghiep va phat trien nong thon",
    "ld-tb&xh": "lao dong thuong binh va xa hoi", "ldtbxh": "lao dong thuong binh va xa hoi",
    "gtvt": "giao thong van tai", "r&d": "nghien cuu phat trien",
}


# Shorthand staff type: a document kind glued to its number ("NQ57", "KH3469") and "P." for
# "Phòng" before a unit's initials ("P. KH-TC").
_GLUED_CODE = re.compile(r"\b(NQ|KH|QĐ|NĐ|CT|CTr|TB|nq|kh|qđ|nđ|qd|nd|ct)(\d+)\b")
_P_UNIT = re.compile(r"\bP\.\s*(?=[A-ZĐ])")
# "bao nhiu" as typed in a chat box: "nhíu" is a word of its own, so the speller keeps it
_HOW_MANY = re.compile(r"\b([Bb]ao) ([Nn])hiu\b")


def spell_out_shorthand(question: str) -> str:
    """"NQ57" → "NQ 57", "P. KH-TC" → "Phòng KH-TC", "bao nhiu" → "bao nhiêu" (questions only:
    plans write them out)."""
    out = _P_UNIT.sub("Phòng ", _GLUED_CODE.sub(r"\1 \2", question))
    return _HOW_MANY.sub(r"\1 \2hiêu" if has_diacritics(out) else r"\1 \2hieu", out)


def spell_out_abbreviations(folded: str) -> str:
    """Folded text with each abbreviation replaced by its expansion where it stands
    ("phong cchc va van thu" → "phong cai cach hanh chinh va van thu")."""
    return re.sub(r"\w+", lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)


def expand_abbreviations(folded: str) -> str:
    """Folded text plus the expansion of every abbreviation it uses (appended)."""
    extra = [ABBREVIATIONS[t] for t in syllables(folded) if t in ABBREVIATIONS]
    return folded + (" " + " ".join(extra) if extra else "")


# ---------------------------------------------------------------- tokens

_SYLLABLE = re.compile(r"[^\W_]+(?:[./&-][^\W_]+)*|[≥≤%]", re.UNICODE)


def syllables(text: str) -> list[str]:
    """Lower-cased syllables/words; keeps codes such as ``57-nq/tw``, ``vh-xh`` and ``kh&cn`` whole."""
    return [m.group(0) for m in _SYLLABLE.finditer(text.lower())]


_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


def toned(syllable: str) -> str:
    """A syllable keyed by its letters and tone, wherever the tone mark sits: "hoá" and "hóa"
    both give "hoa1"; "quỹ" gives "quy4", "quy" stays "quy"."""
    marks = unicodedata.normalize("NFD", syllable.lower())
    tone = "".join(_TONE_MARKS[c] for c in marks if c in _TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(c for c in marks if c not in _TONE_MARKS)) + tone


def syllable_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SYLLABLE.finditer(text)]


@lru_cache(maxsize=1)
def _underthesea():
    import underthesea  # heavy import: only when segmentation is really needed

    return underthesea


def words(text: str) -> list[str]:
    """underthesea word segmentation, multi-syllable words joined with ``_`` (``chủ_trì``)."""
    if not text.strip():
        return []
    toks = _underthesea().word_tokenize(text[:20000])
    return [t.lower().replace(" ", "_") for t in toks if any(ch.isalnum() for ch in t)]


def bm25_tokens(text: str, *, segment: bool = True) -> list[str]:
    """Tokens of the accented BM25 field: syllables plus underthesea compound words."""
    syl = syllables(text)
    if not segment:
        return syl
    return syl + [w for w in words(text) if "_" in w]


def folded_tokens(text: str) -> list[str]:
    """Tokens of the accent-folded BM25 field: folded syllables and adjacent syllable pairs."""
    syl = syllables(fold(text))
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:])]


# ---------------------------------------------------------------- sentences

# Vietnamese capitals, as the body of a regex character class ("À-Ỹ" would take lower case too)
VI_UPPER = "A-ZĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
_SENT_SPLIT = re.compile(rf"(?<=[.!?…])\s+(?=[\"“(]?[{VI_UPPER}0-9-])|\n+")
# A hard-wrapped line (text exported from PDF/Word at a fixed width): the line before ends
# in a letter, digit or comma (no closing punctuation), neither line is a table row, and
# the next line continues in lower case or with a number that is not an item number
# ("… trước ngày\n10/6 và ngày 20/11 …").
_CONTINUES = re.compile(r"[ \t]*(?:[a-zà-ỹđ]|\d+(?![.)](?:\s|$))[/%,.\w])")
_PAGE_CONTINUES = re.compile(r"(?:[a-zà-ỹđ](?![.)])|\d+\s*[/%,]|\d+\s+[a-zà-ỹđ])")
_FULL_LINE = 50


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``text`` shifted by ``offset``; lines are sentence breaks.

    Rule-based on purpose: plan text is line-structured (bullets, items), and the rules keep
    exact spans, which underthesea's sentence splitter does not return.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_SPLIT.finditer(text):
        if "\n" in m.group(0) and _is_wrap(text, m.start()):
            continue
        if text[start:m.start()].strip():
            spans.append(_trim(text, start, m.start(), offset))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text), offset))
    return spans


def _is_wrap(text: str, nl: int) -> bool:
    """Is the line break at ``nl`` a wrap inside a sentence? Across blank lines (a page break
    of a PDF export) only after a full-width line and before lower-case text or a number
    that goes on ("… Kế hoạch\n\n\n348/KH-UBND vào đánh giá …"), never before an item."""
    i = nl
    while i > 0 and text[i - 1] in " \t\n":
        i -= 1
    j = nl
    while j < len(text) and text[j] in " \t\n":
        j += 1
    line = text[text.rfind("\n", 0, i) + 1:i]
    next_end = text.find("\n", j)
    following = text[j:next_end if next_end >= 0 else len(text)]
    if not line or "\t" in line or "\t" in following:
        return False
    if not (line[-1].isalnum() or line[-1] == ","):
        return False
    if text.count("\n", i, j) == 1:
        return bool(_CONTINUES.match(following))
    return len(line.strip()) >= _FULL_LINE and bool(_PAGE_CONTINUES.match(following))


def _trim(text: str, s: int, e: int, offset: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s + offset, e + offset)
