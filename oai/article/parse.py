"""A record's ``metadata`` object checked and turned into an :class:`Article`.

Every rule of INTERFACE.md's article keys is here, each beside the value it
checks. A wrong value raises ValueError naming where it is
(``metadata.authors[1].orcid: ...``); the loader prefixes ``file:line:``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast, get_args

from . import checks
from .model import (
    DC_ELEMENTS,
    Access,
    Affiliation,
    Article,
    ArticleType,
    File,
    Funding,
    Pages,
    PartialDate,
    Person,
    Reviewed,
    Text,
    Version,
)

_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", re.ASCII)
_T = TypeVar("_T")

ARTICLE_TYPES: tuple[str, ...] = get_args(ArticleType)
VERSIONS: tuple[str, ...] = get_args(Version)
ACCESS: tuple[str, ...] = get_args(Access)

#: Every key ``metadata`` may hold besides the Dublin Core elements.
ARTICLE_KEYS = frozenset(
    "authors journal issn eissn volume issue pages section published article_type version "
    "doi url files license access embargo_until funding reviewed".split()
)


def _object(
    value: Any, where: str, keys: frozenset[str], required: frozenset[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(required - set(value))
    if missing:
        raise ValueError(f"{where}: {missing[0]!r} is missing")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value


def _optional(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    return _string(obj[key], f"{where}.{key}") if key in obj else None


def _checked(value: Any, where: str, check: Callable[[str], str | None]) -> str:
    text = _string(value, where)
    reason = check(text)
    if reason is not None:
        raise ValueError(f"{where} {reason}")
    return text


def _list(value: Any, where: str, item: Callable[[Any, str], _T]) -> tuple[_T, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return tuple(item(entry, f"{where}[{index}]") for index, entry in enumerate(value))


def _choice(value: Any, where: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{where} must be one of {', '.join(allowed)}")
    return cast(str, value)


def _date(value: Any, where: str) -> PartialDate:
    parsed = checks.partial_date(_string(value, where))
    if isinstance(parsed, str):
        raise ValueError(f"{where} {parsed}")
    return PartialDate(*parsed)


def dc_values(value: Any, where: str) -> tuple[Text, ...]:
    """A Dublin Core key: a list of strings or ``{"value", "lang"}`` objects."""
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of strings")
    values = []
    for item in value:
        if type(item) is str:
            values.append(Text(item))
            continue
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            extra = set(item) - {"value", "lang"}
            if extra:
                raise ValueError(f"{where}: unexpected key {sorted(extra)[0]!r}")
            lang = item.get("lang")
            if lang is not None and not (isinstance(lang, str) and _LANG.fullmatch(lang)):
                raise ValueError(f"{where}: lang must be a language tag such as 'en'")
            values.append(Text(item["value"], lang or None))
            continue
        raise ValueError(f"{where} must hold strings or {{'value': ..., 'lang': ...}} objects")
    return tuple(values)


def _affiliation(value: Any, where: str) -> Affiliation:
    obj = _object(value, where, frozenset({"name", "ror"}), frozenset({"name"}))
    ror = _checked(obj["ror"], f"{where}.ror", checks.ror) if "ror" in obj else None
    return Affiliation(_string(obj["name"], f"{where}.name"), ror)


_PERSON_KEYS = frozenset({"family", "given", "name", "orcid", "affiliations"})


def person(value: Any, where: str) -> Person:
    obj = _object(value, where, _PERSON_KEYS, frozenset())
    if ("family" in obj) == ("name" in obj):
        raise ValueError(f"{where} needs either 'family' (a person) or 'name' (an organisation)")
    if "given" in obj and "family" not in obj:
        raise ValueError(f"{where}: 'given' goes with 'family'")
    orcid = _checked(obj["orcid"], f"{where}.orcid", checks.orcid) if "orcid" in obj else None
    affiliations = (
        _list(obj["affiliations"], f"{where}.affiliations", _affiliation)
        if "affiliations" in obj
        else ()
    )
    return Person(
        family=_optional(obj, "family", where),
        given=_optional(obj, "given", where),
        name=_optional(obj, "name", where),
        orcid=orcid,
        affiliations=affiliations,
    )


def _file(value: Any, where: str) -> File:
    obj = _object(value, where, frozenset({"url", "mime"}), frozenset({"url", "mime"}))
    return File(
        _checked(obj["url"], f"{where}.url", checks.absolute_uri),
        _checked(obj["mime"], f"{where}.mime", checks.mime),
    )


_FUNDING_KEYS = frozenset({"funder", "funder_id", "award", "award_title"})


def _funding(value: Any, where: str) -> Funding:
    obj = _object(value, where, _FUNDING_KEYS, frozenset({"funder"}))
    funder_id = (
        _checked(obj["funder_id"], f"{where}.funder_id", checks.absolute_uri)
        if "funder_id" in obj
        else None
    )
    return Funding(
        _string(obj["funder"], f"{where}.funder"),
        funder_id,
        _optional(obj, "award", where),
        _optional(obj, "award_title", where),
    )


_REVIEWED_KEYS = frozenset({"title", "authors", "publisher", "year", "isbn"})


def _reviewed(value: Any, where: str) -> Reviewed:
    obj = _object(value, where, _REVIEWED_KEYS, frozenset({"title"}))
    return Reviewed(
        title=_string(obj["title"], f"{where}.title"),
        authors=_list(obj["authors"], f"{where}.authors", person) if "authors" in obj else (),
        publisher=_optional(obj, "publisher", where),
        year=_checked(obj["year"], f"{where}.year", checks.year) if "year" in obj else None,
        isbn=_checked(obj["isbn"], f"{where}.isbn", checks.isbn) if "isbn" in obj else None,
    )


def _pages(value: Any, where: str) -> Pages:
    parsed = checks.pages(_string(value, where))
    if isinstance(parsed, str):
        raise ValueError(f"{where} {parsed}")
    return Pages(*parsed)


def creator_person(text: str) -> Person:
    """A Dublin Core creator as a name: ``Family, Given`` split at its comma, else whole."""
    family, comma, given = text.partition(",")
    if comma and family.strip() and given.strip():
        return Person(family=family.strip(), given=given.strip())
    return Person(name=text.strip() or text)


def parse_article(identifier: str, metadata: Mapping[str, Any]) -> Article:
    """The Article a record's ``metadata`` describes; ValueError names the first bad value."""
    dc: dict[str, tuple[Text, ...]] = {}
    fields: dict[str, Any] = {}
    for key, value in metadata.items():
        where = f"metadata.{key}"
        if key in _DC:
            dc[key] = dc_values(value, where)
        elif key in _PARSERS:
            fields[key] = _PARSERS[key](value, where)
        else:
            raise ValueError(f"metadata: unknown element {key!r}")
    if ("embargo_until" in fields) != (fields.get("access") == "embargoed"):
        raise ValueError("metadata.embargo_until goes with access 'embargoed', and only with it")
    given = frozenset(fields)
    if "authors" not in fields and dc.get("creator"):
        # A record with only Dublin Core creators still names its authors in every format.
        fields["authors"] = tuple(creator_person(text.value) for text in dc["creator"])
    return Article(identifier=identifier, dc=dc, given=given, **fields)


_DC = frozenset(DC_ELEMENTS)

#: Key -> the function that checks it and returns the model's value.
_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "authors": lambda value, where: _list(value, where, person),
    "journal": _string,
    "issn": lambda value, where: _checked(value, where, checks.issn),
    "eissn": lambda value, where: _checked(value, where, checks.issn),
    "volume": _string,
    "issue": _string,
    "pages": _pages,
    "section": _string,
    "published": _date,
    "article_type": lambda value, where: _choice(value, where, ARTICLE_TYPES),
    "version": lambda value, where: _choice(value, where, VERSIONS),
    "doi": lambda value, where: _checked(value, where, checks.doi),
    "url": lambda value, where: _checked(value, where, checks.absolute_uri),
    "files": lambda value, where: _list(value, where, _file),
    "license": lambda value, where: _checked(value, where, checks.absolute_uri),
    "access": lambda value, where: _choice(value, where, ACCESS),
    "embargo_until": _date,
    "funding": lambda value, where: _list(value, where, _funding),
    "reviewed": _reviewed,
}
assert frozenset(_PARSERS) == ARTICLE_KEYS
