"""MODS names: the authors (persons and organisations, with ORCID and ROR) and the funders.

Each name carries its MARC relator, as a code with its id.loc.gov URI and as text, so a
catalogue can tell an author from a funder without reading the rest of the record.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...article import Affiliation, Article, Funding, Person
from ..authors import Kind, kind
from ..markup import NOTHING, Markup, Tag, leaf, node

RELATORS = "http://id.loc.gov/vocabulary/relators"
ROR = "https://ror.org/"


def _role(code: str, term: str) -> Markup:
    return node(
        "role",
        [
            leaf(
                "roleTerm",
                code,
                ("type", "code"),
                ("authority", "marcrelator"),
                ("authorityURI", RELATORS),
                ("valueURI", f"{RELATORS}/{code}"),
            ),
            leaf("roleTerm", term, ("type", "text"), ("authority", "marcrelator")),
        ],
    )


_AUTHOR = _role("aut", "author")
_FUNDER = _role("fnd", "funder")
_FAMILY = Tag("namePart", ("type", "family"))
_GIVEN = Tag("namePart", ("type", "given"))
_NAME_PART = Tag("namePart")
_ORCID = Tag("nameIdentifier", ("type", "orcid"))
_AFFILIATION = Tag("affiliation")
#: A name of each kind (:mod:`..authors`): personal, corporate, or no type when unknown.
_NAMES = {
    "person": Tag("name", ("type", "personal")),
    "organisation": Tag("name", ("type", "corporate")),
    "unknown": Tag("name"),
}


def _affiliation(affiliation: Affiliation) -> Markup:
    if affiliation.ror is None:
        return _AFFILIATION.leaf(affiliation.name)
    return leaf(
        "affiliation",
        affiliation.name,
        ("authority", "ror"),
        ("authorityURI", ROR),
        ("valueURI", affiliation.ror),
    )


def name(person: Person, of_kind: Kind) -> Markup:
    """An author: ``personal`` with family and given parts, ``corporate`` for an organisation,
    and without a type for an unsplit Dublin Core creator, known to be neither."""
    if person.family is not None:
        parts = [_FAMILY.leaf(person.family), _GIVEN.leaf(person.given)]
    else:
        parts = [_NAME_PART.leaf(person.name)]
    affiliations = [_affiliation(affiliation) for affiliation in person.affiliations]
    return _NAMES[of_kind].node([*parts, _ORCID.leaf(person.orcid), *affiliations, _AUTHOR])


#: Funder identifier scheme (``Funding.funder_scheme``) -> its MODS identifier type.
_FUNDER_IDS = {
    scheme: Tag("nameIdentifier", ("type", kind))
    for scheme, kind in (("Crossref Funder ID", "doi"), ("ROR", "ror"), ("Other", "uri"))
}


def _funder(funding: Funding) -> Markup:
    scheme = funding.funder_scheme
    identifier = _FUNDER_IDS[scheme].leaf(funding.funder_id) if scheme else NOTHING
    return _NAMES["organisation"].node([_NAME_PART.leaf(funding.funder), identifier, _FUNDER])


def names(article: Article) -> Iterator[Markup]:
    for person in article.authors:
        yield name(person, kind(person, article))
    for funding in article.funding:
        yield _funder(funding)
