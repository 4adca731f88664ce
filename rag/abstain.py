"""When to say "not found": checks that a candidate answer can really answer the question.

1. **Unknown names.** A proper name in the question (a run of capitalised syllables such
   as "Hà Tĩnh" or "Sở Giáo dục và Đào tạo") whose syllable pairs never occur in the
   loaded plans means the question is about something the plans do not cover.
2. **Answer type.** A question asking for money needs evidence with an amount of money;
   one asking for a person's name needs a personal name; "bao nhiêu <thing>" needs
   evidence that mentions that thing.
These are general properties of questions and text, not of any particular plan.
"""
from __future__ import annotations

import re

from index import text as vt
from index.reader import IndexSnapshot

# Capitalised words that start questions or name generic things; never an "entity" alone.
_GENERIC = set("""
ke hoach kh nghi quyet chuong trinh so ban phong van uy ubnd hdnd bo xa tinh huyen thanh pho
ai dau khi nao theo trong tai cua cac nhung ve nhiem vu don vi co quan de an
""".split())
_SURNAMES = set("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dao dinh lam mai trinh".split())
_MONEY_Q = re.compile(r"\b(bao nhieu|may) (tien|dong|trieu|ty|nghin)\b|\b(kinh phi|ngan sach|tien thuong|muc tien|"
                      r"so tien|du chi|chi bao nhieu|muc chi|muc ho tro)\b.*\b(bao nhieu|may)\b|\btrieu dong\b|\bty dong\b")
_MONEY_E = re.compile(r"\d[\d.,]*\s*(trieu|ty|nghin|dong|vnd)\b")
_PERSON_Q = re.compile(r"\bho ten\b|\bho va ten\b|\bten (la )?gi\b|^ai la\b")
_NOT_NOUNS = set("phan tram tien la nam thang ngay lan so nao gi dat duoc can phai the".split())
_COUNT_Q = re.compile(r"\bbao nhieu ([a-z]+(?: [a-z]+)?)")  # "bao nhiêu tài khoản", not "bao nhiêu %"


def _name_runs(question: str) -> list[list[str]]:
    """Runs of ≥ 2 capitalised words ("và" may join them), the question's first word excluded."""
    words = re.findall(r"[^\W_]+(?:[-/][^\W_]+)*", question)
    runs, cur = [], []
    for i, w in enumerate(words):
        # codes and abbreviations ("57-NQ/TW", "UBND", "KHCN") are not names: they end a run
        if i > 0 and w[0].isupper() and w.isalpha() and not (len(w) > 1 and w.isupper()):
            cur.append(w)
        elif w == "và" and cur:
            continue
        else:
            if len(cur) >= 2:
                runs.append(cur)
            cur = []
    if len(cur) >= 2:
        runs.append(cur)
    return runs


def unknown_names(question: str, snap: IndexSnapshot) -> list[str]:
    """Proper-name phrases of the question that never occur in the loaded plans."""
    vocab = snap.bm25_fold.vocab_dict
    out = []
    for run in _name_runs(question):
        syl = _trim_generic([vt.fold(w) for w in run])
        if len(syl) < 2:
            continue
        pairs = [f"{a}_{b}" for a, b in zip(syl, syl[1:])]
        if any(p not in vocab for p in pairs):
            out.append(" ".join(syl))
    return out


def _trim_generic(syl: list[str]) -> list[str]:
    while syl and syl[0] in _GENERIC and len(syl) > 2:
        syl = syl[1:]
    return syl


def type_mismatch(folded_question: str, evidence_text: str) -> str | None:
    """Why this evidence cannot answer the question's type (None when it can)."""
    ev = vt.fold(evidence_text)
    if _MONEY_Q.search(folded_question) and not _MONEY_E.search(ev):
        return "money"
    if _PERSON_Q.search(folded_question) and not _has_person_name(evidence_text):
        return "person"
    m = _COUNT_Q.search(folded_question)
    if m:
        from rag.query import STOPWORDS
        noun = []
        for w in m.group(1).split():          # the counted noun: words up to the first function word
            if w in _NOT_NOUNS or w in STOPWORDS or w in ("va", "hoac"):
                break
            noun.append(w)
        if noun and not _counted(" ".join(noun), ev):
            return "count"
    return None


def _counted(noun: str, ev: str) -> bool:
    """The evidence gives a number (not a year) within a few words of the counted noun."""
    for m in re.finditer(rf"\b{re.escape(noun)}\b", ev):
        window = ev[max(0, m.start() - 40):m.end() + 40]
        if re.search(r"\b(?!20\d\d\b)\d+(?:[.,]\d+)?\s*%?", window):
            return True
    return False


def _has_person_name(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text)
    for i, w in enumerate(words[:-1]):
        if w[0].isupper() and vt.fold(w) in _SURNAMES and words[i + 1][0].isupper() and not words[i + 1].isupper():
            return True
    return False
