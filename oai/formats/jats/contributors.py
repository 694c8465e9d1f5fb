"""Who wrote the article in JATS: the contributor group, names and institutions.

A person is ``name`` (surname, given names), an organisation ``collab``. Each affiliation
is written once, as an ``aff`` the ``xref`` of every author it belongs to points at
(JATS4R: linked, not repeated), its ROR in ``institution-wrap/institution-id``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from ...article import Affiliation, Article, Person
from ..markup import Markup, Tag, bare

_COLLAB: Final = Tag("collab")
_NAME: Final = Tag("name")
_SURNAME: Final = Tag("surname")
_GIVEN_NAMES: Final = Tag("given-names")
INSTITUTION_WRAP: Final = Tag("institution-wrap")
INSTITUTION: Final = Tag("institution")
ROR: Final = Tag("institution-id", ("institution-id-type", "ror"))


def name(person: Person) -> Markup:
    if person.family is None:
        return _COLLAB.leaf(person.name)
    return _NAME.node([_SURNAME.leaf(person.family), _GIVEN_NAMES.leaf(person.given)])


def _institution(affiliation: Affiliation) -> Markup:
    name = INSTITUTION.leaf(affiliation.name)
    if affiliation.ror is None:
        return name
    return INSTITUTION_WRAP.node([ROR.leaf(affiliation.ror), name])


_CONTRIB_GROUP: Final = Tag("contrib-group")
_AUTHOR: Final = Tag("contrib", ("contrib-type", "author"))
_ORCID: Final = Tag("contrib-id", ("contrib-id-type", "orcid"))


@cache
def _aff(number: int) -> tuple[Markup, Tag]:
    """The ``n``-th affiliation's ``xref`` and its ``aff`` (ids ``aff1``, ``aff2`` ...)."""
    rid = f"aff{number}"
    return bare("xref", ("ref-type", "aff"), ("rid", rid)), Tag("aff", ("id", rid))


def contrib_group(article: Article, lang: str | None) -> Markup:
    """Authors in byline order, then each affiliation once, as an ``aff`` that the ``xref``
    of every author it belongs to points at (JATS4R: linked, not repeated)."""
    numbers: dict[Affiliation, int] = {}
    contribs = []
    for person in article.authors:
        xrefs = [
            _aff(numbers.setdefault(aff, len(numbers) + 1))[0]
            for aff in dict.fromkeys(person.affiliations)
        ]
        contribs.append(_AUTHOR.node([_ORCID.leaf(person.orcid), name(person), *xrefs]))
    affs = [_aff(number)[1].node([_institution(aff)]) for aff, number in numbers.items()]
    return _CONTRIB_GROUP.node([*contribs, *affs])
