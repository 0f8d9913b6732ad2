"""Names in a sentence: capitalised runs split at titles and dates, and when two spellings name the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.fuzz import ratio

from ...records import Divergence
from ..dates import MONTHS
from .common import _STOP, _Analysis, _leftovers, _Mention, _neighbours, _wordset
from .numbers import _NUMBER_WORDS, WEEKDAYS

# Words that open sentences in news copy and are not names, beyond the stop list.
_COMMON_OPENERS = _wordset(
    """according accompanied additionally after ahead amid analysts asked authorities back before building citing
    companies concerns critics currently despite doctors due during earlier elsewhere even eventually experts finally
    following given government historic including initially instead investigators investors lawmakers later like many
    meanwhile militants officials overall police previously prices profits prosecutors protesters rebels recently
    regarding reports researchers residents sales scientists separately shares since soldiers speaking sources stocks
    talks tensions then today tomorrow tonight traders troops unlike voters western witnesses workers yesterday"""
)
# Capitalised words that name nothing in particular when they stand alone.
_GENERIC_CAPS = _wordset("state government police city county court web internet")
_TITLES = _wordset(
    """adm admiral ambassador attorney ayatollah capt captain ceo cfo chair chairman chairwoman chancellor chief col
    colonel commander crown dame defence defense deputy director dr emperor envoy finance foreign gen general gov
    governor head interior king lady leader lieutenant lord lt marshal mayor mep minister miss mp mr mrs ms pope
    premier president prime prince princess prof professor queen rep representative rev reverend secretary sen senator
    sergeant sgt sheikh sir speaker spokesman spokesperson spokeswoman supreme vice det insp supt cmdr maj pte cpl
    inspector detective constable superintendent"""
)
_CONNECTORS = _wordset("of for de del da der van von al bin la le &")


def _name_token(word: str) -> str:
    return word.lower().replace(".", "")


# Spelled-out forms of the few abbreviations every outlet varies on.
_ALIASES = {
    "us": ("united", "states"), "usa": ("united", "states"), "america": ("united", "states"),
    "american": ("united", "states"), "uk": ("united", "kingdom"), "britain": ("united", "kingdom"),
    "british": ("united", "kingdom"), "un": ("united", "nations"), "eu": ("european", "union"),
}  # fmt: skip


def _expand(tokens: tuple[str, ...]) -> tuple[str, ...]:
    if not any(t in _ALIASES for t in tokens):
        return tokens
    return tuple(x for t in tokens for x in _ALIASES.get(t, (t,)))


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.replace(".", "").isupper()


def _looks_common(w: str) -> bool:
    """Whether a lone capitalised sentence opener is more likely an ordinary word than a name (by its ending)."""
    return len(w) > 5 and w.endswith(_COMMON_ENDINGS)


_COMMON_ENDINGS = (
    "ly", "ing", "ed", "ness", "ment", "ments", "tion", "tions", "sion", "ers", "ies", "al", "ive", "ous", "ful", "ary",
    "ence", "ance", "ity", "ism", "ists", "ics", "ings",
)  # fmt: skip


_OPENING_PUNCT = frozenset("\"'(.!?:;")


_INNER_MARKS = frozenset(("'", "s", "."))  # kept inside a name ("People's", "George W. Bush") but not name tokens
# Lowercase words that follow a hyphen without being part of a name ("US-led", "state-run").
_LOWER_HYPHEN_STOP = _wordset("based led run style born made owned era like wide long old year day backed")


def _names(text: str, starts: Sequence[int], words: Sequence[str], lower: Sequence[str]) -> list[_Mention]:
    """Capitalised word runs, split at titles and dates; a plain sentence opener is not a name."""
    n = len(words)

    def joined(k: int) -> bool:  # token k follows token k-1 with only spaces between
        return k > 0 and not text[starts[k - 1] + len(words[k - 1]) : starts[k]].strip(" ")

    def tight(k: int) -> bool:  # no space at all before token k
        return k > 0 and starts[k - 1] + len(words[k - 1]) == starts[k]

    def excluded(k: int) -> bool:
        w = lower[k]
        if w in _CONNECTORS:
            return False
        return w in MONTHS or w in WEEKDAYS or w in _NUMBER_WORDS or (w in _STOP and not _is_acronym(words[k]))

    out: list[_Mention] = []
    k = 0
    for k0 in [i for i, w in enumerate(words) if w[0].isupper()]:
        if k0 < k or (tight(k0) and words[k0 - 1] == "."):
            continue  # inside the previous run, or a ticker suffix (".N", ".SPX")
        k = k0
        run = [k]
        j = k + 1
        while j < n:
            if words[j][0].isupper() and joined(j):
                run.append(j)
                j += 1
            elif (
                words[j] == "-"
                and tight(j)
                and j + 1 < n
                and tight(j + 1)
                and words[j + 1].isalpha()
                and (words[j + 1][0].isupper() or (len(words[j + 1]) <= 5 and words[j + 1] not in _LOWER_HYPHEN_STOP))
            ):
                run.append(j + 1)
                j += 2
            elif lower[j] in _CONNECTORS and joined(j) and j + 1 < n and words[j + 1][0].isupper() and joined(j + 1):
                run.append(j)
                j += 1
            elif words[j] == "." and len(words[j - 1]) == 1 and tight(j) and j + 1 < n and words[j + 1][0].isupper():
                run.append(j)  # an initial: "George W. Bush"
                j += 1
            elif words[j] == "'" and lower[j - 1] == "people" and j + 2 < n and lower[j + 1] == "s":
                run.extend((j, j + 1))  # "Democratic People's Republic of Korea" is one name
                j += 2
            else:
                break
        k = j
        # An opener is only a name when it does not look like an ordinary word.
        first = run[0]
        opener = (first == 0 or words[first - 1] in _OPENING_PUNCT) and not _is_acronym(words[first])
        if opener:
            w = lower[first]
            if w in _STOP or w in _COMMON_OPENERS or (len(run) == 1 and _looks_common(w)):
                run = run[1:]
                opener = False
        # Split at titles, stop words and dates; connectors and "'s" stay inside a part but are not name tokens.
        part: list[int] = []
        for idx in [*run, -1]:
            is_title = idx >= 0 and (
                lower[idx] in _TITLES
                or (lower[idx] == "state" and idx >= 2 and lower[idx - 2] == "secretary" and lower[idx - 1] == "of")
            )
            if idx >= 0 and not is_title and not excluded(idx) and (part or lower[idx] not in _CONNECTORS):
                part.append(idx)
                continue
            while part and (lower[part[-1]] in _CONNECTORS or lower[part[-1]] in _INNER_MARKS):
                part.pop()
            if len(part) == 1 and (lower[part[0]] in _GENERIC_CAPS or len(words[part[0]]) == 1):
                part = []
            if part:
                toks = tuple(
                    _name_token(words[p]) for p in part if lower[p] not in _CONNECTORS and lower[p] not in _INNER_MARKS
                )
                # A lone word opening the sentence may be an ordinary word: never the evidence for a "changed".
                tag = "acronym" if len(part) == 1 and _is_acronym(words[part[0]]) else ""
                if opener and part == run[:1] and len(run) == 1:
                    tag = "opener"
                span = (starts[part[0]], starts[part[-1]] + len(words[part[-1]]))
                out.append(_Mention(span, _expand(toks), tag, (part[0], part[-1])))
            part = []
    return out


@lru_cache(maxsize=65536)
def _token_equal(x: str, y: str) -> bool:
    """Name tokens that are spelling or demonym variants (Korea/Korean, China/Chinese, Sergei/Sergey)."""
    if x == y:
        return True
    if x[:1] != y[:1]:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3:
        return True
    if len(short) >= 5 and short[-1] in "aeiouy" and long.startswith(short[:-1]) and len(long) - len(short) <= 4:
        return True
    return len(short) >= 5 and ratio(x, y) >= 80


def _covers(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
    return all(t in big or any(_token_equal(t, u) for u in big) for t in small)


@lru_cache(maxsize=65536)
def _same_name(tx: tuple[str, ...], ty: tuple[str, ...]) -> bool:
    """One name is a part or a variant of the other ("Kim" / "Kim Jong Un"), or its initials ("UN")."""
    if tx == ty or _covers(tx, ty) or _covers(ty, tx):
        return True
    for acro, full in ((tx, ty), (ty, tx)):
        if len(acro) == 1 and len(full) > 1 and acro[0] == "".join(t[0] for t in full if t):
            return True
    return False


def _name_kept(m: _Mention, this: _Analysis, other: _Analysis) -> bool:
    """A name the other sentence also has, as a name or merely as words (it may open that sentence)."""
    if m.kind != "acronym" and all(t in other.name_vocab for t in m.key):
        return True
    if any(_same_name(m.key, y.key) for y in other.names):
        return True
    if m.kind == "acronym":  # written in capitals, not as the pronoun "us"
        raw = this.text[m.span[0] : m.span[1]].replace(".", "")
        return any(w.replace(".", "") == raw for w in other.words if w[0].isupper())
    return all(any(_token_equal(t, v) for v in other.name_vocab) for t in m.key)


def _compare_names(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Names the other side lacks in any form; a swap in the same slot is one change."""
    only_a = [x for x in na.names if not _name_kept(x, na, nb)]
    only_b = [y for y in nb.names if not _name_kept(y, nb, na)]

    def slot(x: _Mention, y: _Mention) -> float | None:
        """Two different names fill the same slot when the words on both sides of them agree (met _ in)."""
        if x.kind == "opener" or y.kind == "opener":
            return None  # a lone capitalised opener may be an ordinary word
        left_x, left_y = _neighbours(na.lower, x.tokens[0], -1), _neighbours(nb.lower, y.tokens[0], -1)
        right_x, right_y = _neighbours(na.lower, x.tokens[1], 1), _neighbours(nb.lower, y.tokens[1], 1)
        left, right = left_x & left_y, right_x & right_y
        if not (left or not (left_x or left_y)) or not (right or not (right_x or right_y)):
            return None
        content = [w for w in left | right if w not in _STOP and len(w) > 1]
        return float(len(left) + len(right)) if content else None

    return _leftovers("name", a, b, only_a, only_b, slot)
