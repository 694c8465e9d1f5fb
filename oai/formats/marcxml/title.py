"""The title statement (245) as ISBD punctuates it, and the nonfiling characters of a title.

Leader/18 ``i`` promises ISBD punctuation, and MARC::Lint holds a record to it:
``" :"`` before the remainder of the title ($b), ``" /"`` before the statement of
responsibility ($c), and a final period (LC's rule: even after ``?`` or ``!``).
A title given as one string is split at its first ``": "`` into title proper and
remainder, as a cataloguer transcribes "Title: subtitle".

245's second indicator counts the characters a catalogue skips when it files the
title: a leading article of the title's language, the space after it and any
quotation marks or brackets around it (``The "Real" Thing`` files under "Real":
5). Only the languages below are known; any other title files as written (0).
"""

from __future__ import annotations

import re
from typing import Final

#: Initial definite and indefinite articles, by MARC language code (ISO 639-2/B): the
#: words MARC::Lint's table (after the Library of Congress's list of initial articles)
#: holds for these languages, less ambiguous ones (Catalan "en"). Typographic quotes and
#: apostrophes count here as their ASCII forms do; MARC::Lint knows only the ASCII ones.
ARTICLES: Final[dict[str, frozenset[str]]] = {
    "eng": frozenset({"a", "an", "the"}),
    "fre": frozenset({"le", "la", "les", "un", "une", "des", "du"}),
    "ger": frozenset(
        {
            "der",
            "die",
            "das",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "einem",
            "einen",
            "einer",
            "eines",
        }
    ),
    "spa": frozenset({"el", "la", "lo", "los", "las", "un", "una", "unos", "unas"}),
    "por": frozenset({"a", "o", "as", "os", "um", "uma", "uns", "umas"}),
    "ita": frozenset({"il", "lo", "la", "i", "gli", "le", "un", "uno", "una"}),
    "cat": frozenset({"el", "la", "els", "les", "un", "una", "uns", "unes"}),
    "dut": frozenset({"de", "het", "een"}),
    "dan": frozenset({"den", "det", "en", "et"}),
    "nor": frozenset({"den", "det", "en", "et"}),
    "swe": frozenset({"den", "det", "en", "ett"}),
    "wel": frozenset({"y", "yr"}),
    "gle": frozenset({"an", "na"}),
}

#: Articles written elided before a vowel, with an apostrophe: ``L'homme`` files as 2.
ELIDED: Final[dict[str, frozenset[str]]] = {
    "fre": frozenset({"l"}),
    "ita": frozenset({"l", "gl", "un"}),
    "cat": frozenset({"l"}),
}

#: Openings where the article-like word is not an article ("A priori", "Los Angeles").
NOT_ARTICLES: Final[dict[str, tuple[str, ...]]] = {
    "eng": ("a & ", "a to ", "a is ", "a priori", "a posteriori", "a la "),
    "spa": ("los angeles", "las vegas", "el salvador", "el niño", "el nino", "la salle", "lo que"),
    "por": ("a priori", "a posteriori"),
}

#: Quotation marks and brackets that go with an article when they enclose it or its word.
_MARKS = "\"'[(*“‘«„"
_FIRST_WORD = re.compile(r"(\w+)(\s+|['’])")
_INITIALS = re.compile(r"(?<!\w)(\w)\. (?=\w\.)")


def nonfiling(title: str, code: str | None) -> int:
    """245 second indicator: characters to skip before filing ``title`` in language ``code``."""
    articles = ARTICLES.get(code or "")
    if articles is None:
        return 0
    start = 0
    while start < len(title) and title[start] in _MARKS:
        start += 1
    rest = title[start:]
    if rest.lower().startswith(NOT_ARTICLES.get(code or "", ())):
        return 0
    match = _FIRST_WORD.match(rest)
    if match is None:
        return 0
    word, separator = match.group(1).lower(), match.group(2)
    known = articles if separator[0].isspace() else ELIDED.get(code or "", frozenset())
    if word not in known:
        return 0
    count = start + match.end()
    while count < len(title) and title[count] in _MARKS:
        count += 1
    # A title that is only an article files as written; MARC's indicator stops at 9.
    return count if count < len(title) and count <= 9 else 0


def split(title: str) -> tuple[str, str | None]:
    """Title proper and remainder of title, split at the first ``": "``."""
    proper, colon, remainder = title.partition(": ")
    if colon and proper.strip() and remainder.strip():
        return proper.rstrip(), remainder.strip()
    return title, None


def final(text: str) -> str:
    """``text`` ending with a period, as a 245 (and an ISBD area) ends."""
    return text if text.endswith(".") else text + "."


def initials(text: str) -> str:
    """``J. R. Smith`` as ISBD transcribes it in a statement of responsibility: ``J.R. Smith``."""
    return _INITIALS.sub(r"\1.", text) if ". " in text else text


def statement(title: str, responsibility: str | None) -> list[tuple[str, str]]:
    """245's subfields for ``title`` and the names that wrote it, punctuated."""
    proper, remainder = split(title)
    subfields = [["a", proper]]
    if remainder is not None:
        subfields[0][1] += " :"
        subfields.append(["b", remainder])
    if responsibility:
        subfields[-1][1] += " /"
        subfields.append(["c", initials(responsibility)])
    subfields[-1][1] = final(subfields[-1][1])
    return [(code, value) for code, value in subfields]
