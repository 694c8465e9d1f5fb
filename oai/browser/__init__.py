"""The browser view: HTML pages for people, rendered from the XML harvesters get.

``web`` decides who gets a page (its Accept negotiation) and hands over the
response document's bytes; :func:`verb_page` reads them back
(:mod:`.reading`), looks up what only helps a person (which formats each
record has, set names, a real identifier for an example) and renders a
template from ``oai/templates``. Pages carry no script and no inline style, so
:data:`CONTENT_SECURITY_POLICY` can forbid both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import render_template, url_for
from werkzeug.wrappers.response import Response

from .. import protocol
from ..config import Settings
from ..errors import OAIError
from ..formats import FORMATS
from ..store import queries
from ..tokens import TokenCodec
from . import advice
from .reading import Document, read

HTML_TYPE = "text/html; charset=utf-8"
#: Pages load their stylesheet and nothing else; forms submit only to this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: Above this many sets the home page asks for a setSpec in a text box, not a dropdown.
MAX_SET_CHOICES = 500
#: Templates by the answer element's name.
TEMPLATES = {
    "Identify": "identify.html",
    "ListMetadataFormats": "formats.html",
    "ListSets": "sets.html",
    "ListIdentifiers": "items.html",
    "ListRecords": "items.html",
    "GetRecord": "record.html",
}
#: What a list page counts, for "records 101-200 of 5,432".
NOUNS = {"ListSets": "sets", "ListIdentifiers": "records", "ListRecords": "records"}


@dataclass(frozen=True, slots=True)
class Links:
    """Builds links to /oai; the endpoint's path is looked up once per page, not per link."""

    oai_path: str

    def href(self, verb: str, *pairs: tuple[str, str], **arguments: str) -> str:
        """A link to /oai; ``from`` is a Python keyword, so pass it as ``from_``."""
        query = [("verb", verb), *pairs]
        query += [(name.rstrip("_"), value) for name, value in arguments.items() if value]
        return f"{self.oai_path}?{urlencode(query)}"


def _href() -> Callable[..., str]:
    return Links(url_for("oai.oai")).href


def page_response(response: Response) -> Response:
    """Add the headers every page carries: a strict CSP and no type sniffing."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _format_order(prefixes: Sequence[str]) -> list[str]:
    """A record's formats in the repository's order (ListMetadataFormats order)."""
    known = [fmt.prefix for fmt in FORMATS if fmt.prefix in prefixes]
    return known + sorted(set(prefixes) - set(known))


def _list_prefix(document: Document) -> str:
    """The format a list is in: as asked, else as the records say, else the first one offered."""
    asked = document.arguments.get("metadataPrefix")
    if asked:
        return asked
    by_namespace = {fmt.namespace: fmt.prefix for fmt in FORMATS}
    for item in document.items:
        if item.namespace in by_namespace:
            return by_namespace[item.namespace]
    return FORMATS[0].prefix


def _error_context(
    document: Document,
    pairs: Sequence[tuple[str, str]],
    session: queries.Reader,
    settings: Settings,
) -> dict[str, object]:
    code = document.errors[0][0]
    identifier = next((value for name, value in pairs if name == "identifier"), None)
    record_prefixes = (
        _format_order(queries.record_formats(session, identifier)) if identifier else []
    )
    example = advice.corrected(
        code,
        pairs,
        prefix=FORMATS[0].prefix,
        sample_identifier=queries.sample_identifier(session, settings.repository_identifier),
        record_prefixes=record_prefixes,
    )
    return {
        "explanations": advice.EXPLANATIONS,
        "example": _href()(example[0][1], *example[1:]),
        "example_pairs": example,
        "typed": [(name, value) for name, value in pairs],
    }


def _first_page(pairs: Sequence[tuple[str, str]], codec: TokenCodec | None) -> str | None:
    """A link to the first page of the list a resumptionToken continues, or None.

    The token holds the list's query (and its snapshot's upper bound, kept as ``until``
    so the first page is of this very list); a page without a token is the first.
    """
    if codec is None or not any(name == "resumptionToken" for name, _ in pairs):
        return None
    try:
        parsed = protocol.parse(pairs, codec)
    except OAIError:
        return None
    href = _href()
    if isinstance(parsed, protocol.ListSets):
        return href("ListSets")
    if not isinstance(parsed, protocol.ListItems):
        return None
    stamp = protocol.format_datestamp
    return href(
        parsed.verb,
        metadataPrefix=parsed.metadata_prefix,
        set=parsed.set_spec or "",
        from_=stamp(parsed.from_) if parsed.from_ else "",
        until=stamp(parsed.until) if parsed.until else "",
    )


def verb_page(
    document: bytes,
    pairs: Sequence[tuple[str, str]],
    session: queries.Reader,
    settings: Settings,
    codec: TokenCodec | None = None,
) -> str:
    """The page for one OAI-PMH response; ``pairs`` are the request's arguments as typed.

    ``codec`` reads a resumptionToken back, for the link to the list's first page.
    """
    doc = read(document)
    context: dict[str, object] = {
        "doc": doc,
        "repository_name": settings.repository_name,
        "raw_url": url_for("oai.oai_xml") + "?" + urlencode(list(pairs)),
        "href": _href(),
    }
    if doc.errors:
        context.update(_error_context(doc, pairs, session, settings))
        return render_template("error.html", **context)
    identifiers = [item.header.identifier for item in doc.items]
    specs = sorted({spec for item in doc.items for spec in item.header.set_specs})
    formats_by_id = queries.formats_of(session, identifiers)
    context.update(
        prefix=_list_prefix(doc),
        record_formats={key: _format_order(value) for key, value in formats_by_id.items()},
        set_names=queries.set_names(session, specs),
        set_counts=queries.set_counts(session, [row.set_spec for row in doc.sets]),
        noun=NOUNS.get(doc.verb or "", "items"),
        first_page=_first_page(pairs, codec),
    )
    return render_template(TEMPLATES[doc.verb or ""], **context)


def home_page(session: queries.Reader, settings: Settings) -> str:
    """``/``: what the repository holds, and a form for each verb."""
    counts = queries.counts(session)
    sets = queries.page_sets(session, after=None, limit=MAX_SET_CHOICES + 1)
    return render_template(
        "home.html",
        repository_name=settings.repository_name,
        admin_email=settings.admin_email,
        counts=counts,
        formats=FORMATS,
        sets=sets if len(sets) <= MAX_SET_CHOICES else None,
        earliest=queries.earliest_datestamp(session),
        sample_identifier=queries.sample_identifier(session, settings.repository_identifier),
        raw_url=url_for("oai.oai_xml", verb="Identify"),
        href=_href(),
    )
