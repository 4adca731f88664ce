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
("ohàn" → "hoàn", "Teho" → "Theo"). Upper-case acronyms, codes and numbers are never
touched. The repaired syllable takes the accented form the plans use next to the same
neighbour, or stays unaccented in a question typed without diacritics.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from index import text as vt
from rag.packaged import underthesea_data

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_VOWEL = re.compile(r"[aeiouy]")


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Folded syllables of underthesea's Viet74K word list (shipped with the package)."""
    path = underthesea_data("corpus", "data", "Viet74K.txt")
    folded = vt.fold(path.read_text(encoding="utf-8"))      # one pass over the whole list: fast
    return frozenset(s for s in re.split(r"[\s-]+", folded) if s.isalpha())


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
    df: dict                                  # folded token ("hoan", "hoan_thanh") → chunks with it
    texts_with: Callable[[str], Iterable[str]]  # the indexed texts that contain a folded token

    @classmethod
    def of(cls, texts) -> Speller:
        """A speller over these texts (``speller(snapshot)`` reads the same from the index)."""
        texts = list(texts)
        rows: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for token in set(vt.folded_tokens(text)):
                rows.setdefault(token, []).append(i)
        return cls({t: len(r) for t, r in rows.items()}, lambda t: (texts[i] for i in rows.get(t, [])))

    def _form(self, s: str, prev: str | None, nxt: str | None, most: int = 20) -> str:
        """The accented form the indexed text gives ``s`` next to these neighbours (else
        anywhere): the commonest of its first ``most`` occurrences."""
        w = re.escape(s)
        tries = [(f"{prev}_{s}", rf"(?<!\w){re.escape(prev)}\W+({w})(?!\w)")] if prev else []
        tries += [(f"{s}_{nxt}", rf"(?<!\w)({w})\W+{re.escape(nxt)}(?!\w)")] if nxt else []
        for token, pattern in tries + [(s, rf"(?<!\w)({w})(?!\w)")]:
            forms: Counter = Counter()
            for text in self.texts_with(token):
                forms.update(text[m.start(1):m.end(1)].lower() for m in re.finditer(pattern, vt.fold(text)))
                if sum(forms.values()) >= most:
                    break
            if forms:
                return forms.most_common(1)[0][0]
        return s

    def correct(self, text: str) -> str:
        """``text`` with every typo'd syllable repaired (unchanged when there is none)."""
        accented = vt.has_diacritics(text)
        folded = vt.fold(text)
        found = list(_WORD.finditer(folded))
        out, last = [], 0
        for i, m in enumerate(found):
            s = m.group(0)
            typed = text[m.start():m.end()]
            if len(s) < 3 or not _VOWEL.search(s) or s in self.df or s in lexicon() \
                    or (len(typed) > 1 and typed.isupper()):
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
            n = self.df.get(c, 0)
            swap = sorted(c) == sorted(s)
            if not n and not (swap and c in lexicon()):
                continue
            pair = (self.df.get(f"{prev}_{c}", 0) if prev else 0) + (self.df.get(f"{c}_{nxt}", 0) if nxt else 0)
            scored.append((pair, swap, n, c))
        if not scored:
            return None
        pair, swap, _, best = max(scored)
        return best if pair or (swap and not needs_pair) else None


def _adjacent(folded: str, a: re.Match, b: re.Match) -> bool:
    """Two words next to each other, only spaces between them."""
    return folded[a.end():b.start()].strip() == ""


def speller(snap) -> Speller:
    """The snapshot's speller, from what the index already holds: the folded BM25 field's
    document frequencies and its postings (nothing is built per generation)."""
    scores, vocab, texts = snap.bm25_fold.scores, snap.bm25_fold.vocab_dict, snap.chunks.texts

    def texts_with(token: str):
        t = vocab.get(token)
        if t is None:
            return ()
        return (texts[i] for i in scores["indices"][scores["indptr"][t]:scores["indptr"][t + 1]])

    return Speller(snap.fold_df, texts_with)


__all__ = ["Speller", "lexicon", "speller"]
