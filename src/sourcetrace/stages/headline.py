"""Part of stage 2: is a page's text the article its headline names?

A scraped page can hold something else than its article: a login wall, a sign-up notice, a list of videos, under
the headline of the article it should have held. Such a text names nothing of that headline. Words are compared by
their first three letters ("shot" finds "shooting"), accents folded, numbers whole; a headline needs three words of
letters for the test to say anything (a site's name, "Home", a date or an id say too little).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

NOT_THE_ARTICLE = "a login wall, sign-up notice or other page furniture, not the article; check the file"
MIN_HEADLINE_WORDS = 3  # words of letters a headline needs for the test to say anything
REPRINT_HEADLINE_WORDS = 3  # headline words a text made only of repeated paragraphs must mention to be a reprint

_WORD = re.compile(r"[^\W_]+")  # words and numbers; one of letters and digits (an id) counts as neither
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # Thai, Lao, kana, CJK, Hangul
_FUNCTION_TEXT = (  # words too common to tie a text to its headline
    "the and for with from that this was were are has have had after into over about his her its not but "
    "who what when where will would could said says than then them they you your our out off all new how "
    "why can may more most been being also just only now here there"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())


def mentions_headline(text: str, headline: str | None, least: int = 1) -> bool:
    """Whether ``text`` mentions at least ``least`` words of the ``headline`` the file gives it. Without a headline
    of :data:`MIN_HEADLINE_WORDS` words of letters, or in a script written without spaces between words, there is
    nothing to check, and the text counts as the article. Reads the text only as far as it must: every article
    passes through here. (A headline in another script than the text: :func:`same_script`.)"""
    if not headline or _UNSPACED.search(headline):
        return True
    words = set(_words(headline))
    if sum(not w.isdigit() for w in words) < MIN_HEADLINE_WORDS:
        return True
    found: set[str] = set()
    for w in _words(text):
        if w in words:
            found.add(w)
            if len(found) >= least:
                return True
    return False


SCRIPT_SAMPLE = 2000  # characters of the text whose letters tell its script


def _script(letter: str) -> str:
    """The script a letter is written in, as its Unicode name begins ("LATIN", "CYRILLIC", "GREEK", ...)."""
    return unicodedata.name(letter, "").partition(" ")[0]


def same_script(headline: str, text: str) -> bool:
    """Whether the text is written, at least in part (one letter in ten of its beginning), in the script most of the
    headline's letters are in: a headline in another language (a Russian site's title over an English article)
    names nothing of the text, whatever the text is."""
    letters = [_script(c) for c in headline if c.isalpha()]
    if not letters:
        return True
    main = max(sorted(set(letters)), key=letters.count)  # a tie goes the same way in every process
    sample = [c for c in text[:SCRIPT_SAMPLE] if c.isalpha()]
    return not sample or sum(_script(c) == main for c in sample) * 10 >= len(sample)


def _words(text: str) -> Iterator[str]:
    """Numbers whole, words of three letters or more by their first three (accents folded, function words out)."""
    text = text.casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for match in _WORD.finditer(text):
        w = match.group()
        if w.isdigit():
            yield w
        elif w.isalpha() and len(w) >= 3 and w not in _FUNCTION_WORDS:
            yield w[:3]
