"""MARCXML's two kinds of field as markup, and the one cleaning every MARC value gets.

MARC data carries no line breaks or tabs (MARC::Lint reports them, and a record
converted to ISO 2709 would carry them into every display), so they become
single spaces; every other character is escaped by :mod:`..markup`. A data field
whose subfields are all empty is not written: MARC21slim.xsd requires a subfield.

A record has some thirty subfields in twenty-odd fields, all with constant
attributes, so their tags are built once per subfield code and per field tag
and indicators (:class:`..markup.Tag`): that halves the render time. Half the
subfields say what every record says ("author.", "aut", a licence's name, a
COAR label), so a short subfield is also kept once written (a bounded cache).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..markup import Markup, Tag

#: A data field's subfields: (code, value); a None or blank value is left out.
Subfields = Iterable[tuple[str, str | None]]

_BREAKS = re.compile(r"\s*[\t\n\r]\s*")

#: Every subfield code MARC 21 uses: a-z and 0-9.
_SUBFIELDS: dict[str, Callable[[str | None], Markup]] = {
    code: Tag("subfield", ("code", code)).leaf for code in "abcdefghijklmnopqrstuvwxyz0123456789"
}
_DATAFIELDS: dict[tuple[str, str, str], Callable[[Iterable[Markup]], Markup]] = {}
_CONTROLFIELDS = {
    tag: Tag("controlfield", ("tag", tag)).leaf for tag in ("001", "006", "007", "008")
}
#: Subfield values up to this length are kept once written (titles and abstracts rarely recur).
_SHORT = 64


def flat(value: str) -> str:
    """``value`` on one line, without surrounding white space."""
    if "\n" in value or "\r" in value or "\t" in value:
        value = _BREAKS.sub(" ", value)
    return value.strip()


def datafield(tag: str, ind1: str, ind2: str, subfields: Subfields) -> Markup:
    """``<datafield>`` with its subfields; nothing when no subfield has a value."""
    key = (tag, ind1, ind2)
    field = _DATAFIELDS.get(key)
    if field is None:
        field = _DATAFIELDS[key] = Tag(
            "datafield", ("tag", tag), ("ind1", ind1), ("ind2", ind2)
        ).node
    return field(
        [
            _short(code, value) if len(value) <= _SHORT else _SUBFIELDS[code](flat(value))
            for code, value in subfields
            if value
        ]
    )


@lru_cache(maxsize=4096)
def _short(code: str, value: str) -> Markup:
    return _SUBFIELDS[code](flat(value))


def controlfield(tag: str, data: str) -> Markup:
    """001, 006, 007 or 008."""
    return _CONTROLFIELDS[tag](data)
