"""Controlled vocabularies several formats share: one table each, keyed by the model's words.

Sources: COAR Resource Types, Access Rights and Version Types as the OpenAIRE 4.0
XSDs enumerate them (../shared/schemas/openaire-4.0/oaire-*-v4.xsd), the
``info:eu-repo/semantics`` terms of the DRIVER guidelines (2.0) that OJS and DSpace
write in ``dc:type`` and ``dc:rights``, and ISO 639 for language codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

COAR_TYPE: Final = "http://purl.org/coar/resource_type/"
COAR_ACCESS: Final = "http://purl.org/coar/access_right/"
COAR_VERSION: Final = "http://purl.org/coar/version/"
EU_REPO: Final = "info:eu-repo/semantics/"


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a controlled vocabulary: its URI and its preferred label."""

    uri: str
    label: str


#: COAR resource type of each article type. Types COAR has no narrower term for
#: (case report, brief report, discussion, correction, retraction, other) are
#: journal articles, the term every journal contribution falls under.
RESOURCE_TYPES: Final[dict[str, Term]] = {
    "research-article": Term(COAR_TYPE + "c_2df8fbb1", "research article"),
    "review-article": Term(COAR_TYPE + "c_dcae04bc", "review article"),
    "book-review": Term(COAR_TYPE + "c_ba08", "book review"),
    "editorial": Term(COAR_TYPE + "c_b239", "editorial"),
    "letter": Term(COAR_TYPE + "c_545b", "letter to the editor"),
    "case-report": Term(COAR_TYPE + "c_6501", "journal article"),
    "brief-report": Term(COAR_TYPE + "c_6501", "journal article"),
    "discussion": Term(COAR_TYPE + "c_6501", "journal article"),
    "correction": Term(COAR_TYPE + "c_6501", "journal article"),
    "retraction": Term(COAR_TYPE + "c_6501", "journal article"),
    "other": Term(COAR_TYPE + "c_6501", "journal article"),
}

#: DRIVER's ``info:eu-repo/semantics`` publication type of each article type, as in
#: ``dc:type``: a review of others' published work is ``review``; everything else a
#: journal prints is an ``article`` (OJS writes ``article`` for every section).
EU_REPO_TYPES: Final[dict[str, str]] = {
    "research-article": EU_REPO + "article",
    "review-article": EU_REPO + "article",
    "book-review": EU_REPO + "review",
    "editorial": EU_REPO + "article",
    "letter": EU_REPO + "article",
    "case-report": EU_REPO + "article",
    "brief-report": EU_REPO + "article",
    "discussion": EU_REPO + "article",
    "correction": EU_REPO + "article",
    "retraction": EU_REPO + "article",
    "other": EU_REPO + "article",
}

#: COAR access rights of each ``access`` value.
ACCESS_RIGHTS: Final[dict[str, Term]] = {
    "open": Term(COAR_ACCESS + "c_abf2", "open access"),
    "embargoed": Term(COAR_ACCESS + "c_f1cf", "embargoed access"),
    "restricted": Term(COAR_ACCESS + "c_16ec", "restricted access"),
    "metadata-only": Term(COAR_ACCESS + "c_14cb", "metadata only access"),
}

#: DRIVER's access terms, as in ``dc:rights`` (``closedAccess`` is metadata only).
EU_REPO_ACCESS: Final[dict[str, str]] = {
    "open": EU_REPO + "openAccess",
    "embargoed": EU_REPO + "embargoedAccess",
    "restricted": EU_REPO + "restrictedAccess",
    "metadata-only": EU_REPO + "closedAccess",
}


@dataclass(frozen=True, slots=True)
class VersionTerm:
    """A version: COAR's term, its NISO JAV abbreviation and name, DRIVER's ``dc:type`` word."""

    coar: Term
    jav: str
    #: NISO JAV's name of the version, the words JATS, MODS and MARC notes use.
    name: str
    eu_repo: str


VERSIONS: Final[dict[str, VersionTerm]] = {
    "published": VersionTerm(
        Term(COAR_VERSION + "c_970fb48d4fbd8a85", "VoR"),
        "VoR",
        "Version of Record",
        EU_REPO + "publishedVersion",
    ),
    "accepted": VersionTerm(
        Term(COAR_VERSION + "c_ab4af688f83e57aa", "AM"),
        "AM",
        "Accepted Manuscript",
        EU_REPO + "acceptedVersion",
    ),
    "submitted": VersionTerm(
        Term(COAR_VERSION + "c_71e4c1898caa6e32", "SMUR"),
        "SMUR",
        "Submitted Manuscript Under Review",
        EU_REPO + "submittedVersion",
    ),
}


@dataclass(frozen=True, slots=True)
class Language:
    """One language's codes: ISO 639-1 (two letters), 639-2/B (MARC, MODS), 639-3 (OpenAIRE)."""

    alpha2: str
    bibliographic: str
    alpha3: str
    name: str


_LANGUAGES = (
    Language("ar", "ara", "ara", "Arabic"),
    Language("bg", "bul", "bul", "Bulgarian"),
    Language("ca", "cat", "cat", "Catalan"),
    Language("cs", "cze", "ces", "Czech"),
    Language("cy", "wel", "cym", "Welsh"),
    Language("da", "dan", "dan", "Danish"),
    Language("de", "ger", "deu", "German"),
    Language("el", "gre", "ell", "Greek"),
    Language("en", "eng", "eng", "English"),
    Language("es", "spa", "spa", "Spanish"),
    Language("et", "est", "est", "Estonian"),
    Language("eu", "baq", "eus", "Basque"),
    Language("fa", "per", "fas", "Persian"),
    Language("fi", "fin", "fin", "Finnish"),
    Language("fr", "fre", "fra", "French"),
    Language("ga", "gle", "gle", "Irish"),
    Language("gl", "glg", "glg", "Galician"),
    Language("he", "heb", "heb", "Hebrew"),
    Language("hi", "hin", "hin", "Hindi"),
    Language("hr", "hrv", "hrv", "Croatian"),
    Language("hu", "hun", "hun", "Hungarian"),
    Language("id", "ind", "ind", "Indonesian"),
    Language("is", "ice", "isl", "Icelandic"),
    Language("it", "ita", "ita", "Italian"),
    Language("ja", "jpn", "jpn", "Japanese"),
    Language("ko", "kor", "kor", "Korean"),
    Language("la", "lat", "lat", "Latin"),
    Language("lt", "lit", "lit", "Lithuanian"),
    Language("lv", "lav", "lav", "Latvian"),
    Language("ms", "may", "msa", "Malay"),
    Language("nb", "nob", "nob", "Norwegian Bokmål"),
    Language("nl", "dut", "nld", "Dutch"),
    Language("nn", "nno", "nno", "Norwegian Nynorsk"),
    Language("no", "nor", "nor", "Norwegian"),
    Language("pl", "pol", "pol", "Polish"),
    Language("pt", "por", "por", "Portuguese"),
    Language("ro", "rum", "ron", "Romanian"),
    Language("ru", "rus", "rus", "Russian"),
    Language("sk", "slo", "slk", "Slovak"),
    Language("sl", "slv", "slv", "Slovenian"),
    Language("sr", "srp", "srp", "Serbian"),
    Language("sv", "swe", "swe", "Swedish"),
    Language("th", "tha", "tha", "Thai"),
    Language("tr", "tur", "tur", "Turkish"),
    Language("uk", "ukr", "ukr", "Ukrainian"),
    Language("vi", "vie", "vie", "Vietnamese"),
    Language("zh", "chi", "zho", "Chinese"),
)

#: Every code a record may give in ``language`` (two letters, or either three-letter form,
#: any case), to its language.
LANGUAGES: Final[dict[str, Language]] = {
    code: language
    for language in _LANGUAGES
    for code in (language.alpha2, language.bibliographic, language.alpha3)
}


def language(code: str) -> Language | None:
    """The language a record's ``language`` value names (``en``, ``eng``, ``en-GB``), if known."""
    return LANGUAGES.get(code.split("-", 1)[0].strip().lower())


#: BCP 47's shape: a language subtag of two or three letters (ISO 639), then subtags of
#: one to eight letters or digits. "English" and "en_GB" are not tags (xs:language's
#: looser pattern accepts the first).
_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", re.ASCII)


def language_tag(value: str) -> str | None:
    """A record's ``language`` value as a BCP 47 tag, as ``xml:lang``, DataCite's language
    and MODS's rfc5646 term want it, or None when it is no tag.

    A known language gets its ISO 639-1 code, as BCP 47 requires the shortest
    (``eng-GB`` is ``en-GB``, ``ger`` is ``de``); an unknown one is kept when it has a
    tag's shape (``haw``, ``tlh``)."""
    code = value.strip()
    known = language(code)
    if known is None:
        return code if _TAG.fullmatch(code) else None
    tag = "-".join([known.alpha2, *code.split("-")[1:]])
    # A known language with malformed subtags ("en-", "en-GB!") is still that language.
    return tag if _TAG.fullmatch(tag) else known.alpha2
