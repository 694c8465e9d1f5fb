"""oai_dc: unqualified Dublin Core, the format every OAI-PMH repository must offer.

Dublin Core keys a record gives are served as given. Each element it does not
give is derived from the article keys the way OJS and the DRIVER guidelines fill
it (:data:`DERIVED`), so a record that describes its article once is still
complete for BASE, CORE and every oai_dc harvester.
"""

from __future__ import annotations

from collections.abc import Callable

from ..article import DC_ELEMENTS, Article
from . import Format
from .markup import Markup, Tag, root, tag
from .vocabularies import EU_REPO_ACCESS, EU_REPO_TYPES, VERSIONS

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

#: Re-exported for the modules that name the 15 elements.
ELEMENTS = DC_ELEMENTS


def _creators(article: Article) -> list[str]:
    return [author.inverted for author in article.authors]


def _dates(article: Article) -> list[str]:
    return [article.published.iso] if article.published else []


def _types(article: Article) -> list[str]:
    # Only an article record is typed: a record of bare Dublin Core did not say it is one.
    if not article.given:
        return []
    return [EU_REPO_TYPES[article.article_type], VERSIONS[article.version].eu_repo]


def _formats(article: Article) -> list[str]:
    return list(dict.fromkeys(file.mime for file in article.files))


def _identifiers(article: Article) -> list[str]:
    return [value for value in (article.url, article.doi_url) if value]


def citation(article: Article) -> str | None:
    """``Journal; Vol 37 No 2 (2021); 69-87``: the host item as OJS writes ``dc:source``."""
    if article.journal is None:
        return None
    issue = " ".join(
        part
        for part in (
            f"Vol {article.volume}" if article.volume else "",
            f"No {article.issue}" if article.issue else "",
            f"({article.published.year})" if article.published else "",
        )
        if part
    )
    parts = [article.journal, issue, article.pages.text if article.pages else ""]
    return "; ".join(part for part in parts if part)


def _sources(article: Article) -> list[str]:
    values = [citation(article)] + [article.issn, article.eissn]
    return [value for value in values if value]


def _rights(article: Article) -> list[str]:
    access = EU_REPO_ACCESS[article.access] if article.access else None
    return [value for value in (article.license, access) if value]


#: Dublin Core element -> what it is derived from when the record does not give it.
DERIVED: dict[str, Callable[[Article], list[str]]] = {
    "creator": _creators,
    "date": _dates,
    "type": _types,
    "format": _formats,
    "identifier": _identifiers,
    "source": _sources,
    "rights": _rights,
}


_NAMESPACES = (("oai_dc", NAMESPACE), ("dc", DC), ("xsi", XSI))
_SCHEMA_LOCATION = ("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}")
#: Each element's qualified name, and the element of a derived value (it has no language).
_QUALIFIED = {name: f"dc:{name}" for name in ELEMENTS}
_DERIVED_TAGS = {name: Tag(_QUALIFIED[name]) for name in DERIVED}


def render(article: Article) -> Markup:
    """``<oai_dc:dc>``: every record has one (nothing in it is required).

    Each element in ELEMENTS order: the values the record gives, as given (with their
    language), else those :data:`DERIVED` derives."""
    children: list[Markup] = []
    for name in ELEMENTS:
        given = article.dc.get(name)
        if given is not None:
            qualified = _QUALIFIED[name]
            children += [
                tag(qualified, ("xml:lang", text.lang)).given(text.value) for text in given
            ]
        elif name in DERIVED:
            derived = _DERIVED_TAGS[name]
            children += [derived.given(value) for value in DERIVED[name](article)]
    return root("oai_dc:dc", _NAMESPACES, children, _SCHEMA_LOCATION)


FORMAT = Format(
    prefix="oai_dc",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="nothing: every record",
    title="Dublin Core (every harvester: BASE, CORE, OpenAIRE's older guidelines, library systems)",
    every_record=True,
)
