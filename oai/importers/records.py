"""An imported article as an ``oai load`` record: its identifier, its sets, their declarations.

Identifiers are stable, so importing a file again finds the same records:

- an article with a DOI is ``oai:<repository identifier>:doi/<DOI in lower case>``. DOIs
  are case-insensitive (the DOI Handbook, 2.4), and sources disagree on case (a deposit
  may say ``10.13169/Prometheus.40.2.0092`` where the REST API says ``…/prometheus…``);
  the record's ``doi`` key keeps the case its source gives.
- an article without one (only JATS can lack it) is
  ``oai:<repository identifier>:jats/<journal slug>/<id>``, ``<id>`` being the
  file's ``article-id pub-id-type="publisher-id"``, else the file's name without ``.xml``.

Characters outside those an oai-identifier allows are percent-encoded (UTF-8).

Sets: ``journal:<slug>`` (setName: the journal's title) and, when the source names the
section, ``journal:<slug>:<section slug>`` (setName: the section's name); a record is
put in the most specific one (the loader makes it a member of the journal's set too).
Slugs are the title in lower-case ASCII (accents dropped), words joined by ``-``,
at most 60 characters; a title with no such letters (Cyrillic, Chinese) takes the
journal's ISSN (``issn-0810-9028``), else a short hash of the title.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

#: What an oai-identifier's local part may hold unescaped (oai-identifier.xsd), less ``%``.
_SAFE = "-_.!~*'();/?:@&=+$,"
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH = 60


@dataclass(frozen=True, slots=True)
class Imported:
    """One article read from a source, before it has an OAI identifier."""

    #: Where it is, for messages: ``file:line`` or ``file: path``.
    where: str
    #: The record's ``metadata``: Dublin Core keys as the source gives them, article keys.
    metadata: dict[str, Any]
    #: The source's own id, for an article without a DOI.
    local_id: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A work in the source that is not a journal article (a journal issue, a book)."""

    kind: str


@dataclass(slots=True)
class Records:
    """Turns imported articles into record objects and collects their set declarations."""

    repository_identifier: str
    #: setSpec -> setName, in the order first seen.
    sets: dict[str, str] = field(default_factory=dict)

    def record(self, article: Imported) -> dict[str, Any]:
        metadata = article.metadata
        journal = str(metadata.get("journal") or "")
        journal_slug = self.journal_slug(metadata) if journal else None
        specs: list[str] = []
        if journal_slug is not None:
            spec = f"journal:{journal_slug}"
            self.declare("journal", "Journals")
            self.declare(spec, journal)
            section = metadata.get("section")
            if section:
                spec = f"{spec}:{slug(section) or 's-' + _hash(section)}"
                self.declare(spec, section)
            specs.append(spec)
        return {
            "identifier": self.identifier(article, journal_slug),
            "sets": specs,
            "metadata": metadata,
        }

    def declare(self, spec: str, name: str) -> None:
        self.sets.setdefault(spec, name)

    def declarations(self) -> list[dict[str, str]]:
        return [{"setSpec": spec, "setName": name} for spec, name in self.sets.items()]

    def identifier(self, article: Imported, journal_slug: str | None) -> str:
        prefix = f"oai:{self.repository_identifier}:"
        doi = article.metadata.get("doi")
        if doi:
            return prefix + "doi/" + quote(doi.lower(), safe=_SAFE)
        if article.local_id is None:
            raise ValueError(
                "the article has neither a DOI nor a publisher-id (and standard input no file name)"
            )
        local = quote(article.local_id, safe=_SAFE)
        return prefix + (f"jats/{journal_slug}/{local}" if journal_slug else f"jats/{local}")

    @staticmethod
    def journal_slug(metadata: dict[str, Any]) -> str:
        title = str(metadata["journal"])
        found = slug(title)
        if found:
            return found
        for key in ("issn", "eissn"):
            if metadata.get(key):
                return f"issn-{str(metadata[key]).lower()}"
        return "j-" + _hash(title)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by ``-`` (at most SLUG_LENGTH characters), or ``""``."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    ascii_text = "".join(char for char in folded if not unicodedata.combining(char))
    words = _NOT_WORD.sub("-", ascii_text).strip("-")
    if len(words) <= SLUG_LENGTH:
        return words
    cut = words[: SLUG_LENGTH + 1]
    return cut[: cut.rfind("-")] if "-" in cut else cut[:SLUG_LENGTH]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the keys the source left empty: facts it lacks are left out."""
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def text_value(value: str, lang: str | None = None) -> str | dict[str, str]:
    """A Dublin Core value: the text, or ``{"value", "lang"}`` when its language is known.

    ``en_US`` (a locale, as some exports write xml:lang) is the language tag ``en-US``.
    """
    return (
        {"value": value, "lang": lang.strip().replace("_", "-")} if lang and lang.strip() else value
    )


def person(
    family: str | None,
    given: str | None = None,
    *,
    name: str | None = None,
    orcid: str | None = None,
    affiliations: list[dict[str, str]] | None = None,
) -> dict[str, Any] | None:
    """An author: a person with a family name, else a name as given (an organisation)."""
    if family:
        return compact(
            {"family": family, "given": given, "orcid": orcid, "affiliations": affiliations}
        )
    whole = name or given
    if not whole:
        return None
    return compact({"name": whole, "orcid": orcid, "affiliations": affiliations})


def inverted(author: dict[str, Any]) -> str:
    """``Family, Given`` (or the name as given), as Dublin Core writes a contributor."""
    if "family" in author:
        return f"{author['family']}, {author['given']}" if author.get("given") else author["family"]
    return str(author["name"])


def join_title(title: str, subtitle: str | None) -> str:
    """``Title: Subtitle`` (no colon after a title that ends in ``?``, ``!`` or ``:``)."""
    if not subtitle:
        return title
    return f"{title} {subtitle}" if title.endswith(("?", "!", ":", ".")) else f"{title}: {subtitle}"
