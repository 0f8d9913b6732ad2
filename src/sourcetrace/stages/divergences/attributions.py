"""Attributions: the source a sentence is credited to ("told AFP", "KCNA said", "according to ...")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...records import Divergence
from .common import _STOP, _Analysis, _leftovers, _match_by, _Mention, _token_range, _wordset
from .names import _name_token, _same_name

_MEDIA_NAMES = (
    r"AFP|AP|Reuters|Bloomberg|CNN|BBC|NHK|KCNA|KCTV|Yonhap|TASS|Tass|RIA(?:\s+Novosti)?|Ria\s+Novosti|Interfax"
    r"|Xinhua|Kyodo|Al\s+Jazeera|Sputnik|RT|DPA|dpa|ANSA|EFE|UPI|NPR|Axios|Politico|CBS|NBC|ABC|Fox\s+News"
    r"|Sky\s+News|Rodong\s+Sinmun|(?:the\s+)?Associated\s+Press|Agence\s+France-Presse|France-Presse"
)
_MEDIA_PROPER = (
    rf"(?:(?:{_MEDIA_NAMES})\b"
    r"|(?:[A-Z][\w.&'-]*\s+){0,4}(?:News|Agency|Press|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Guardian"
    r"|TV|Television|Radio|Broadcasting|Network|Daily|Wire|Newspaper)\b)"
)
_MEDIA_COMMON = r"(?:news\s+agenc(?:y|ies)|media|television|TV|radio|newspapers?|broadcasters?|outlets?|agency|press)\b"
_MEDIA_MODS = (
    r"(?:(?:state-run|state-controlled|state-owned|state|official|semi-official|local|national|foreign|news"
    r"|[A-Z][a-z]+(?:an|ese|ish|i))\s+){0,3}"
)
_DETERMINER = r"(?:(?:[Tt]he|[Ii]ts|[Tt]heir)\s+)?(?:(?:[A-Z][\w.-]*\s+)?[\w.-]+'s\s+)?"
_SOURCE = rf"{_DETERMINER}{_MEDIA_MODS}(?:{_MEDIA_PROPER}|{_MEDIA_COMMON})(?:,?\s+{_MEDIA_PROPER})?"
_SAY = r"(?:said|says|reported|reports|quoted|cited|announced|stated|added|wrote)\b"
_MEDIA_WORDS = _wordset(
    """afp ap reuters bloomberg cnn bbc nhk kcna kctv yonhap tass ria interfax xinhua kyodo jazeera sputnik rt dpa ansa
    efe upi npr axios politico cbs nbc abc fox sky sinmun associated france-presse presse news agency agencies press
    times post journal herald tribune gazette telegraph guardian tv television radio broadcasting network daily wire
    newspaper newspapers media broadcaster broadcasters outlet outlets"""
)
_SAY_WORDS = _wordset("said says reported reports quoted cited announced stated added wrote")
# Each pattern with the words one of which must occur for it to match (a cheap test before the regex runs).
_ATTRIBUTIONS: list[tuple[frozenset[str], frozenset[str], re.Pattern[str]]] = [
    (frozenset({"told"}), frozenset(), re.compile(
        r"\btold\s+(?P<src>(?:the\s+)?(?:" + _MEDIA_PROPER + r"|reporters|journalists|the\s+press"
        r"|(?:a|an)\s+(?:news|press)\s+(?:conference|briefing)|(?:state\s+)?(?:media|television|TV|radio)\b))"
    )),
    (frozenset({"according"}), frozenset(), re.compile(
        r"\b[Aa]ccording\s+to\s+(?P<src>[^,.;:!?\"()\n]{1,80}?)"
        r"(?=\s*[,.;:!?\"()]|\s*$|\s+(?:that|which|who|while|and|but|as|when|after|before)\b)"
    )),
    (_SAY_WORDS, _MEDIA_WORDS, re.compile(
        rf"\b(?:said|says|reported|reports|added|wrote)\s+(?P<src>(?:the\s+)?{_MEDIA_MODS}{_MEDIA_PROPER})"
    )),
    (frozenset({"statement"}), frozenset(), re.compile(
        r"\b(?:said\s+)?in\s+an?\s+(?:written\s+|joint\s+|separate\s+|brief\s+)?(?P<src>statement)\b"
    )),
    (frozenset({"("}), _MEDIA_WORDS, re.compile(r"\((?P<src>AP|AFP|Reuters|dpa|DPA|Xinhua|UPI|Yonhap)\)")),
    (frozenset({"interview", "speaking", "quoted", "cited", "reported"}), _MEDIA_WORDS, re.compile(
        rf"\b(?:in\s+an\s+interview\s+with|speaking\s+to|quoted\s+by|cited\s+by|reported\s+by)\s+(?P<src>{_SOURCE})"
    )),
    (frozenset({"seen", "shown", "broadcast", "aired", "televised"}), _MEDIA_WORDS, re.compile(
        rf"\b(?:as\s+)?(?:seen|shown|broadcast|aired|televised)\s+on\s+"
        rf"(?P<src>{_DETERMINER}{_MEDIA_MODS}(?:{_MEDIA_PROPER}|{_MEDIA_COMMON}))"
    )),
    (frozenset({"said", "wrote", "posted"}), frozenset({"on"}), re.compile(
        r"\b(?:said|wrote|posted)\s+on\s+(?P<src>X|Twitter|Telegram|Facebook|Instagram|social\s+media|Weibo)\b"
    )),
]  # fmt: skip
_SOURCE_SAID = re.compile(rf"(?P<src>{_SOURCE})\s+{_SAY}")
_SOURCE_FILLER = _wordset("the its their a an state state-run official semi-official")


def _source_key(src: str) -> tuple[str, ...]:
    """The words that identify a source ("the Korean Central News Agency" -> korean central news agency)."""
    toks = [_name_token(t) for t in re.findall(r"[^\W_]+", src)]
    return tuple(t for t in toks if t not in _SOURCE_FILLER and t not in _STOP) or tuple(toks)


def _attributions(text: str, starts: Sequence[int], lower: Sequence[str], vocab: frozenset[str]) -> list[_Mention]:
    """Phrases that attribute the sentence to a source ("told AFP", "KCNA said", "according to ...")."""
    found = []
    for needs, also_needs, pattern in _ATTRIBUTIONS:
        if vocab.isdisjoint(needs) or (also_needs and vocab.isdisjoint(also_needs)):
            continue
        for m in pattern.finditer(text):
            found.append((m.start(), -m.end(), m.end(), _source_key(m.group("src"))))
    # "<media> said": the source ends within a few words before the verb, so only that stretch is searched.
    for k in [k for k, w in enumerate(lower) if w in _SAY_WORDS]:
        if not any(w in _MEDIA_WORDS for w in lower[max(0, k - 6) : k]):
            continue
        said = _SOURCE_SAID.search(text, starts[max(0, k - 10)], starts[k] + len(lower[k]))
        if said is not None:
            found.append((said.start(), -said.end(), said.end(), _source_key(said.group("src"))))
    out: list[_Mention] = []
    last_end = -1
    for s, _, e, key in sorted(found):
        if s >= last_end:  # keep the first, longest of overlapping matches
            first, last = _token_range(starts, (s, e))
            out.append(_Mention((s, e), key, "", (first, last)))
            last_end = e
    return out


def _compare_attributions(a: str, b: str, na: _Analysis, nb: _Analysis) -> list[Divergence]:
    """Attributions to a source the other side does not name; a lone pair of different sources is a change."""
    same = lambda x, y: _same_name(x.key, y.key)  # noqa: E731
    only_a, only_b = _match_by(na.attributions, nb.attributions, same)
    return _leftovers("attribution", a, b, only_a, only_b, lambda x, y: 0.0)
