"""Typo repair for questions, before they are analysed.

A syllable the user typed that is no Vietnamese syllable ("ohàn", "Nghaĩ", "tryuền", "bao
hniêu") is replaced by the indexed syllable one edit away (a letter dropped, added or
changed, or two neighbouring letters swapped) that best fits its neighbours in the indexed
text. A syllable counts as Vietnamese when underthesea's Viet74K lexicon or the indexed
text uses it, so real words the plans never use — a place, a loan word — stay as typed, and
a question about a place the plans do not name still finds nothing.

A repair is trusted when it forms a pair of syllables the indexed text contains ("Nghaĩ
Đàn" → "Nghĩa Đàn", "bao nhiuê" → "bao nhiêu"), or, for a syllable of four letters or more
that is not capitalised (but as the question's first word), when it only swaps two letters
("ohàn" → "hoàn", "Teho" → "Theo"). Upper-case
acronyms, codes and numbers are never touched. The repaired syllable takes the accented form
the plans use next to the same neighbour, or stays unaccented in a question typed without
diacritics.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from index import text as vt

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_VOWEL = re.compile(r"[aeiouy]")


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Folded syllables of underthesea's Viet74K word list (shipped with the package)."""
    path = resources.files("underthesea") / "corpus" / "data" / "Viet74K.txt"
    words = path.read_text(encoding="utf-8").split()
    return frozenset(s for w in words for s in vt.syllables(vt.fold(w)) if s.isalpha())


def _edits(s: str) -> set[str]:
    """Strings one edit from ``s``: a deletion, a swap of neighbours, a change or an insertion."""
    splits = [(s[:i], s[i:]) for i in range(len(s) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(s)
    return out


@dataclass
class Speller:
    counts: Counter          # folded syllable → occurrences in the indexed text
    pairs: Counter           # (folded syllable, next folded syllable) → occurrences
    forms: dict              # folded syllable, or (syllable, neighbour) pair → Counter of accented forms

    @classmethod
    def of(cls, texts) -> Speller:
        counts: Counter = Counter()
        pairs: Counter = Counter()
        forms: dict = {}
        for text in texts:
            folded = vt.fold(text)
            prev = prev_form = None
            for m in _WORD.finditer(folded):
                s, form = m.group(0), text[m.start():m.end()].lower()
                counts[s] += 1
                forms.setdefault(s, Counter())[form] += 1
                if prev is not None:
                    pairs[(prev, s)] += 1
                    forms.setdefault((s, prev, 0), Counter())[form] += 1        # s after prev
                    forms.setdefault((prev, s, 1), Counter())[prev_form] += 1   # prev before s
                # a word followed by anything but a space ends the chain of pairs
                prev, prev_form = (s, form) if folded[m.end():m.end() + 1] in (" ", "") else (None, None)
        return cls(counts, pairs, forms)

    def _form(self, s: str, prev: str | None, nxt: str | None) -> str:
        """The accented form the indexed text gives ``s`` next to these neighbours."""
        beside = self.forms.get((s, prev, 0), Counter()) + self.forms.get((s, nxt, 1), Counter())
        found = beside or self.forms.get(s)
        return found.most_common(1)[0][0] if found else s

    def known(self, s: str) -> bool:
        return s in self.counts or s in lexicon()

    def correct(self, text: str) -> str:
        """``text`` with every typo'd syllable repaired (unchanged when there is none)."""
        accented = vt.has_diacritics(text)
        folded = vt.fold(text)
        found = list(_WORD.finditer(folded))
        out, last = [], 0
        for i, m in enumerate(found):
            s = m.group(0)
            typed = text[m.start():m.end()]
            if len(s) < 3 or not _VOWEL.search(s) or self.known(s) or (len(typed) > 1 and typed.isupper()):
                continue
            prev = found[i - 1].group(0) if i and _adjacent(folded, found[i - 1], m) else None
            nxt = found[i + 1].group(0) if i + 1 < len(found) and _adjacent(folded, m, found[i + 1]) else None
            name = typed[0].isupper() and m.start() > 0     # capitalised, not only as the first word
            fix = self._best(s, prev, nxt, needs_pair=len(s) < 4 or name)
            if fix is None:
                continue
            form = self._form(fix, prev, nxt) if accented else fix
            if typed[0].isupper():
                form = form[0].upper() + form[1:]
            out.append(text[last:m.start()] + form)
            last = m.end()
        return "".join(out) + text[last:] if out else text

    def _best(self, s: str, prev: str | None, nxt: str | None, needs_pair: bool) -> str | None:
        """The repair of ``s``: best supported by a neighbour in the indexed text, then two
        letters swapped (the commonest slip, keeping every letter typed), then the most used.
        Without a neighbour's support only a swap of a syllable of 4+ letters is trusted."""
        scored = []
        for c in _edits(s):
            n = self.counts.get(c, 0)
            swap = sorted(c) == sorted(s)
            if not n and not (swap and c in lexicon()):
                continue
            pair = (self.pairs.get((prev, c), 0) if prev else 0) + (self.pairs.get((c, nxt), 0) if nxt else 0)
            scored.append((pair, swap, n, c))
        if not scored:
            return None
        pair, swap, _, best = max(scored)
        return best if pair or (swap and not needs_pair) else None


def _adjacent(folded: str, a: re.Match, b: re.Match) -> bool:
    """Two words next to each other, only spaces between them."""
    return folded[a.end():b.start()].strip() == ""


def speller(snap) -> Speller:
    """The snapshot's speller, built once per index generation (``IndexSnapshot.memo``)."""
    return snap.memo("speller", lambda: Speller.of(snap.chunks.texts))


__all__ = ["Speller", "lexicon", "speller"]
