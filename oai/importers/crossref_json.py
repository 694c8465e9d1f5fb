"""Crossref REST API JSON: a ``/works/{doi}`` response, a ``/works`` list, or JSON Lines of works.

Each ``journal-article`` work becomes an article; other types (a journal issue, a
book chapter) are counted as skipped. What is read: title (+ subtitle, joined
``Title: Subtitle``; original-title as further titles), author (given, family or name,
ORCID, affiliation name with department, ROR from an ``id`` of id-type ROR), editor,
chair and translator (Dublin Core contributors), container-title, issn-type
(print/electronic), volume, issue, page (else article-number), the publication
date (published-online, else published-print, else published, else issued: online
first, as the deposit reader prefers it), DOI, resource.primary.URL (the landing
page; ``URL`` is only the doi.org link, which the DOI gives anyway), link entries with
a MIME content-type for the version of record (the full texts), license and funder
(see ``access``), update-to (a correction or retraction notice says so), abstract
(JATS markup, as text), language, publisher and subject.

Titles and abstracts carry markup as strings (``<i>``, ``<jats:p>``, MathML); it is
read with the safe XML parser, after HTML entity names (``&nbsp;``) are replaced by
their characters and a ``<`` or ``&`` that cannot start markup is taken as itself.
An abstract that still is not well-formed stops the import; a title that is not
markup is taken as the text it is.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from . import access, safexml, values
from .crossref_xml import UPDATE_TYPES
from .errors import SourceError, fail
from .flatten import MATHML, text_of
from .records import Imported, Skipped, compact, inverted, join_title, person, text_value

_T = TypeVar("_T")

JATS1 = "http://www.ncbi.nlm.nih.gov/JATS1"
_ENTITY = re.compile(r"&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?")
#: A ``<`` that cannot start markup (``p < 0.05``): the character itself, escaped.
_LONE_LT = re.compile(r"<(?![A-Za-z_/!?])")
_XML_ENTITIES = frozenset({"lt;", "gt;", "amp;", "quot;", "apos;"})
_WRAP = (
    f'<text xmlns:jats="{JATS1}" xmlns:mml="{MATHML}" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/">'
)


def read_document(name: str, document: Any, today: date) -> Iterator[Imported | Skipped]:
    """A saved API response (a work or a work list) or a bare work or list of works."""
    if isinstance(document, dict) and "message" in document:
        message = document["message"]
        kind = document.get("message-type")
        if kind == "work-list" or (isinstance(message, dict) and "items" in message):
            items = message.get("items") if isinstance(message, dict) else None
            if not isinstance(items, list):
                fail(f"{name}: message.items", "must be a list of works")
            for index, item in enumerate(items):
                yield work(f"{name}: message.items[{index}]", item, today)
        elif kind in ("work", None):
            yield work(f"{name}: message", message, today)
        else:
            fail(name, f"message-type {kind!r} is neither a work nor a work-list")
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield work(f"{name}: [{index}]", item, today)
    elif isinstance(document, dict):
        yield work(name, document, today)
    else:
        fail(name, "not a Crossref work, works list or API response")


def read_line(where: str, line: Any, today: date) -> Imported | Skipped:
    """One line of JSON Lines: a work, or a ``{"message-type": "work", "message": …}`` response."""
    if isinstance(line, dict) and line.get("message-type") == "work" and "message" in line:
        return work(where, line["message"], today)
    return work(where, line, today)


class _Work:
    def __init__(self, where: str, obj: dict[str, Any]) -> None:
        self.where = where
        self.obj = obj

    def fail(self, key: str, reason: str) -> SourceError:
        return SourceError(f"{self.where}: {key} {reason}")

    def strings(self, key: str, obj: Any = None) -> list[str]:
        value = (self.obj if obj is None else obj).get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of strings")
        return [text for item in value if (text := values.clean(item))]

    def string(self, key: str, obj: Any = None) -> str | None:
        value = (self.obj if obj is None else obj).get(key)
        if value is None:
            return None
        if not isinstance(value, str | int):
            raise self.fail(key, "must be a string")
        return values.clean(str(value))

    def objects(self, key: str, obj: Any = None) -> list[dict[str, Any]]:
        value = (self.obj if obj is None else obj).get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, "must be a list of objects")
        return value

    def checked(self, key: str, convert: Callable[..., _T], *args: Any) -> _T:
        try:
            return convert(*args)
        except ValueError as exc:
            raise SourceError(f"{self.where}: {key}: {exc}") from None

    def date(self, key: str, obj: Any = None) -> str | None:
        value = (self.obj if obj is None else obj).get(key)
        if value is None:
            return None
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
            raise self.fail(key, "must hold date-parts such as [[2024, 6, 30]]")
        first = parts[0]
        if not first or first[0] is None:
            return None
        if not all(isinstance(part, int | None) for part in first[:3]):
            raise self.fail(key, "date-parts must be numbers")
        year, month, day = (first + [None, None])[:3]
        return self.checked(
            key,
            values.partial_date,
            f"{year:04d}",
            None if month is None else str(month),
            None if day is None else str(day),
        )


def work(where: str, obj: Any, today: date) -> Imported | Skipped:
    """One work as an article (or Skipped when it is not a journal article)."""
    if not isinstance(obj, dict):
        fail(where, "a work must be a JSON object")
    reader = _Work(where, obj)
    kind = reader.string("type")
    if kind != "journal-article":
        if kind is None:
            raise reader.fail("type", "is missing")
        return Skipped(kind)
    doi_text = reader.string("DOI")
    if doi_text is None:
        raise reader.fail("DOI", "is missing")
    doi = reader.checked("DOI", values.doi, doi_text)
    where = f"{where}: {doi}"
    reader.where = where
    published = next(
        filter(None, (reader.date(key) for key in ("published-online", "published-print"))),
        None,
    ) or next(filter(None, (reader.date(key) for key in ("published", "issued"))), None)
    metadata = compact(
        {
            "title": _titles(reader),
            "contributor": [
                inverted(found)
                for key in ("editor", "chair", "translator")
                for found in _people(reader, key)
            ],
            "subject": reader.strings("subject"),
            "description": _abstract(reader),
            "publisher": reader.strings("publisher"),
            "language": reader.strings("language"),
            "authors": _people(reader, "author"),
            "journal": next(iter(reader.strings("container-title")), None),
            **_issns(reader),
            "volume": reader.string("volume"),
            "issue": reader.string("issue"),
            "pages": _pages(reader),
            "published": published,
            "article_type": next(
                (
                    UPDATE_TYPES[update.get("type", "")]
                    for update in reader.objects("update-to")
                    if update.get("type") in UPDATE_TYPES
                ),
                None,
            ),
            "doi": doi,
            "url": _landing_page(reader),
            "files": _files(reader),
            **_rights(reader, published, today).keys(),
            "funding": _funding(reader),
        }
    )
    return Imported(where, metadata)


def markup_text(text: str, where: str, *, strict: bool) -> str:
    """A string of JATS or face markup as text (see the module docstring)."""
    if "<" not in text and "&" not in text:
        return values.clean(text) or ""
    repaired = _LONE_LT.sub("&lt;", _ENTITY.sub(_entity, text))
    data = (_WRAP + repaired + "</text>").encode("utf-8")
    try:
        root = safexml.parse(where, data)
    except SourceError as exc:
        if strict:
            raise SourceError(f"{exc} (in the markup of the text)") from None
        return values.clean(text) or ""
    return text_of(root, skip_heading=True, inline=not strict)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None:
        return "&amp;"  # a bare ampersand is the character itself
    if name.startswith("#") or name in _XML_ENTITIES:
        return match.group(0)
    character = html.entities.html5.get(name)
    if character is None:
        return match.group(0)
    return character.replace("&", "&amp;").replace("<", "&lt;")


def _titles(reader: _Work) -> list[Any]:
    titles = [markup_text(text, reader.where, strict=False) for text in reader.strings("title")]
    if not titles or not titles[0]:
        raise reader.fail("title", "is missing")
    subtitles = [
        markup_text(text, reader.where, strict=False) for text in reader.strings("subtitle")
    ]
    found: list[Any] = [join_title(titles[0], subtitles[0] if subtitles else None)]
    for original in reader.strings("original-title"):
        found.append(text_value(markup_text(original, reader.where, strict=False)))
    return [title for title in found if title]


def _abstract(reader: _Work) -> list[str]:
    abstract = reader.string("abstract")
    if abstract is None:
        return []
    text = markup_text(str(reader.obj["abstract"]), f"{reader.where}: abstract", strict=True)
    return [text] if text else []


def _people(reader: _Work, key: str) -> list[dict[str, Any]]:
    entries = reader.objects(key)
    entries = sorted(entries, key=lambda entry: entry.get("sequence") != "first")
    found = []
    for index, entry in enumerate(entries):
        label = f"{key}[{index}]"
        orcid_text = reader.string("ORCID", entry)
        affiliations = []
        for affiliation in reader.objects("affiliation", entry):
            name = reader.string("name", affiliation)
            if name is None:
                continue
            parts = reader.strings("department", affiliation) + [name]
            item = {"name": ", ".join(parts)}
            for identifier in reader.objects("id", affiliation):
                if str(identifier.get("id-type", "")).upper() == "ROR" and identifier.get("id"):
                    item["ror"] = reader.checked(
                        f"{label}.affiliation", values.ror, str(identifier["id"])
                    )
                    break
            affiliations.append(item)
        author = person(
            reader.string("family", entry),
            reader.string("given", entry),
            name=reader.string("name", entry),
            orcid=reader.checked(f"{label}.ORCID", values.orcid, orcid_text)
            if orcid_text
            else None,
            affiliations=affiliations,
        )
        if author is not None:
            found.append(author)
    return found


def _issns(reader: _Work) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in reader.objects("issn-type"):
        key = {"print": "issn", "electronic": "eissn"}.get(str(entry.get("type")))
        value = reader.string("value", entry)
        if key and value and key not in found:
            found[key] = reader.checked("issn-type", values.issn, value)
    return found


def _pages(reader: _Work) -> str | None:
    page = reader.string("page") or reader.string("article-number")
    return reader.checked("page", values.page_range, page) if page else None


def _landing_page(reader: _Work) -> str | None:
    resource = reader.obj.get("resource")
    primary = resource.get("primary") if isinstance(resource, dict) else None
    url = reader.string("URL", primary) if isinstance(primary, dict) else None
    return reader.checked("resource.primary.URL", values.uri, url, "URL") if url else None


def _files(reader: _Work) -> list[dict[str, str]]:
    found: dict[str, str] = {}
    for link in reader.objects("link"):
        mime = values.mime(reader.string("content-type", link))
        url = reader.string("URL", link)
        if mime is None or url is None:
            continue
        if link.get("content-version") not in (None, "vor", "unspecified"):
            continue
        found.setdefault(reader.checked("link", values.uri, url, "URL"), mime)
    return [{"url": url, "mime": mime} for url, mime in found.items()]


def _rights(reader: _Work, published: str | None, today: date) -> access.Rights:
    licences = []
    for entry in reader.objects("license"):
        url = reader.string("URL", entry)
        if url is None:
            continue
        licences.append(
            access.Licence(
                reader.checked("license", values.uri, url, "URL"),
                reader.date("start", entry),
                reader.string("content-version", entry),
            )
        )
    return access.decide(licences, [], published, today)


def _funding(reader: _Work) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for entry in reader.objects("funder"):
        name = reader.string("name", entry)
        if name is None:
            continue  # the model names every funder
        funder = {"funder": name}
        doi = reader.string("DOI", entry)
        if doi:
            funder["funder_id"] = reader.checked("funder.DOI", values.funder_id, doi)
        awards = reader.strings("award", entry)
        found.extend({**funder, "award": award} for award in awards)
        if not awards:
            found.append(funder)
    return found
