"""What kind of name an author is: the one rule the formats that type names apply.

A record's ``authors`` say it: ``{"family", "given"}`` is a person, ``{"name"}`` an
organisation. A record without ``authors`` has its Dublin Core creators read as
authors ("Family, Given"), and a creator that cannot be split at a comma ("Plato",
"World Health Organization") may be either, so a format may not say which: MODS
writes no name type, DataCite no nameType, MARC an uncontrolled name (720). (JATS
must choose, and writes ``collab`` for every name without a family name.)
"""

from __future__ import annotations

from typing import Literal

from ..article import Article, Person

Kind = Literal["person", "organisation", "unknown"]


def kind(person: Person, article: Article) -> Kind:
    """``person``, ``organisation``, or ``unknown`` for an unsplit Dublin Core creator."""
    if person.personal:
        return "person"
    return "organisation" if "authors" in article.given else "unknown"
