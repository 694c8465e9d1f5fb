"""The article: one typed description of a loaded record that every format renders.

A record's ``metadata`` object (../shared/INTERFACE.md) becomes an :class:`Article`
once, when it is loaded (:func:`oai.article.parse_article`); renderers read only
this, never the raw JSON, so a value's shape is checked in one place and each
format's mapping reads as a table of fields. Values are as the record gives them:
nothing is guessed, and what a record lacks is ``None`` or an empty tuple.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: The 15 Dublin Core elements, in the order simpledc20021212.xsd's examples use.
DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)

ArticleType = Literal[
    "research-article",
    "review-article",
    "book-review",
    "editorial",
    "letter",
    "correction",
    "retraction",
    "case-report",
    "brief-report",
    "discussion",
    "other",
]
Version = Literal["published", "accepted", "submitted"]
Access = Literal["open", "embargoed", "restricted", "metadata-only"]


@dataclass(frozen=True, slots=True)
class Text:
    """A Dublin Core value, with the language it is in when the record says."""

    value: str
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Affiliation:
    name: str
    #: ``https://ror.org/`` + 9 characters, check digits verified.
    ror: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """An author: a person (``family``, optional ``given``) or an organisation (``name``)."""

    family: str | None = None
    given: str | None = None
    #: An organisation's name (or a name the record could not split; see ``parse``).
    name: str | None = None
    #: ``https://orcid.org/NNNN-NNNN-NNNN-NNNC``, check digit verified.
    orcid: str | None = None
    affiliations: tuple[Affiliation, ...] = ()

    @property
    def personal(self) -> bool:
        return self.family is not None

    @property
    def inverted(self) -> str:
        """The name as catalogues sort it: ``Family, Given`` (or the organisation's name)."""
        if self.family is None:
            return self.name or ""
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def natural(self) -> str:
        """The name as a byline prints it: ``Given Family``."""
        if self.family is None:
            return self.name or ""
        return f"{self.given} {self.family}" if self.given else self.family


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date to the year, month or day, as ``published`` and ``embargo_until`` give it."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: W3CDTF, as every format writes it."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True, slots=True)
class Pages:
    """``69-87`` (first and last page) or one page or article number (``e1234``)."""

    first: str
    last: str | None = None

    @property
    def text(self) -> str:
        return f"{self.first}-{self.last}" if self.last else self.first


@dataclass(frozen=True, slots=True)
class File:
    """A full text: where it is and its MIME type."""

    url: str
    mime: str


@dataclass(frozen=True, slots=True)
class Funding:
    funder: str
    #: An absolute URI: a Crossref Funder Registry DOI or a ROR id.
    funder_id: str | None = None
    award: str | None = None
    award_title: str | None = None

    @property
    def funder_scheme(self) -> str | None:
        """``Crossref Funder ID``, ``ROR`` or ``Other``, as DataCite names identifier types."""
        if self.funder_id is None:
            return None
        if self.funder_id.startswith(("https://doi.org/10.13039/", "http://dx.doi.org/10.13039/")):
            return "Crossref Funder ID"
        if self.funder_id.startswith("https://ror.org/"):
            return "ROR"
        return "Other"


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The work a book review reviews."""

    title: str
    authors: tuple[Person, ...] = ()
    publisher: str | None = None
    year: str | None = None
    isbn: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """Everything any format may say about one record, checked and typed.

    ``dc`` holds the Dublin Core keys exactly as the record gives them (oai_dc serves
    those as given and derives the missing ones). The other formats read title,
    abstract, keywords, language and publisher from there (the properties below)
    and everything else from the article keys.
    """

    #: The record's OAI identifier (MARC's control number, JATS's publisher-id).
    identifier: str
    dc: dict[str, tuple[Text, ...]] = field(default_factory=dict)
    #: The article keys the record itself gives: the rest hold their defaults or nothing.
    given: frozenset[str] = frozenset()
    #: The authors, in byline order; when the record gives no ``authors``, its Dublin
    #: Core creators read as ``Family, Given`` (so every format still names them).
    authors: tuple[Person, ...] = ()
    journal: str | None = None
    issn: str | None = None
    eissn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: Pages | None = None
    section: str | None = None
    published: PartialDate | None = None
    #: The record's word, or ``research-article`` when it gives none (INTERFACE.md's default).
    article_type: ArticleType = "research-article"
    version: Version = "published"
    #: A bare DOI (``10.NNNN/...``).
    doi: str | None = None
    url: str | None = None
    files: tuple[File, ...] = ()
    license: str | None = None
    access: Access | None = None
    embargo_until: PartialDate | None = None
    funding: tuple[Funding, ...] = ()
    reviewed: Reviewed | None = None

    @property
    def titles(self) -> tuple[Text, ...]:
        return self.dc.get("title", ())

    @property
    def title(self) -> Text | None:
        """The main title: the first one given."""
        return self.titles[0] if self.titles else None

    @property
    def abstracts(self) -> tuple[Text, ...]:
        return self.dc.get("description", ())

    @property
    def keywords(self) -> tuple[Text, ...]:
        return self.dc.get("subject", ())

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(text.value for text in self.dc.get("language", ()))

    @property
    def publisher(self) -> str | None:
        publishers = self.dc.get("publisher", ())
        return publishers[0].value if publishers else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None
