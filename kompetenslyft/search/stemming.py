"""Words, stems and roots for search, the same for the text indexed and the query.

Snowball stems inflections ("dokumenterar" → "dokumenter") but not derivations: Swedish
"dokumentation" stays "dokumentation" and "dokumentera" becomes "dokumenter" (PostgreSQL's
swedish configuration is the same algorithm). A root drops the common derivational suffixes
after the stem, so both give "dokument"; entries index stems and roots, queries ask for any
of them."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

ALGORITHMS = {"sv": "swedish", "nb": "norwegian", "en": "english"}
# PostgreSQL text search configurations by language (the same names as the algorithms).
CONFIGS = ALGORITHMS
# Swedish and Norwegian derivations both, whichever the text's language: a Norwegian text
# taken for Swedish (too short to tell) still meets its Norwegian query.
_NORDIC = ("isering", "ationer", "asjoner", "ation", "asjon", "ering", "era", "ere", "er")
DERIVATIONS: dict[str, tuple[str, ...]] = {"sv": _NORDIC, "nb": _NORDIC, "en": ()}
MIN_ROOT = 4
WORD = re.compile(r"\w+", re.UNICODE)


def language_of(code: str | None) -> str:
    """Our language for a language code (``nn``, ``no`` and ``nb`` are Norwegian); Swedish when unknown."""
    code = (code or "").lower()[:2]
    if code in {"nb", "nn", "no"}:
        return "nb"
    return code if code in ALGORITHMS else "sv"


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(ALGORITHMS[language])


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.casefold()) if len(w) > 1 or w.isdigit()]


def stems(word: str, language: str) -> set[str]:
    """The word's stem and, where a derivational suffix follows it, its root."""
    stem = _stemmer(language).stemWord(word)
    found = {stem}
    for suffix in DERIVATIONS[language]:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= MIN_ROOT:
            found.add(stem[: -len(suffix)])
            break
    return found


def terms(text: str, language: str) -> str:
    """The indexed form of a text: its stems and roots, space-separated."""
    out: list[str] = []
    for word in words(text):
        out.extend(sorted(stems(word, language)))
    return " ".join(out)


def query_terms(query: str) -> list[set[str]]:
    """Per word of the query, the terms that may match it in any language (at most 12 words)."""
    found = []
    for word in words(query)[:12]:
        options: set[str] = set()
        for language in ALGORITHMS:
            options |= stems(word, language)
        found.append(options)
    return found


MARKERS = {
    "sv": {
        "och",
        "att",
        "är",
        "för",
        "till",
        "inte",
        "ett",
        "jag",
        "hur",
        "vad",
        "när",
        "ska",
        "från",
        "eller",
    },
    "nb": {
        "og",
        "å",
        "er",
        "for",
        "til",
        "ikke",
        "et",
        "jeg",
        "hvordan",
        "hva",
        "når",
        "skal",
        "fra",
        "eller",
    },
    "en": {"the", "and", "to", "of", "is", "for", "how", "what", "when", "you", "with", "on", "or", "in"},
}


def detect(text: str, fallback: str) -> str:
    """The language of a text: its common small words and letters (ä, ö against æ, ø);
    ``fallback`` (the organisation's or the installation's language) when they do not tell."""
    folded = text.casefold()
    score = {language: 0 for language in MARKERS}
    for word in WORD.findall(folded):
        for language, markers in MARKERS.items():
            if word in markers:
                score[language] += 1
    score["sv"] += 2 * (folded.count("ä") + folded.count("ö"))
    score["nb"] += 2 * (folded.count("æ") + folded.count("ø"))
    best = max(score.values())
    fallback = language_of(fallback)
    if best == 0 or score[fallback] == best:
        return fallback
    return max(score, key=lambda language: score[language])
