"""Who paid for the article in JATS: the funding group, one award group per funder.

Funder ids as JATS4R wants them: an Open Funder Registry id as a bare DOI with its
vocabulary, a ROR id as ROR, any other as a URI.
"""

from __future__ import annotations

from typing import Final

from ...article import Article, Funding
from ..markup import NOTHING, Markup, Tag
from .contributors import INSTITUTION, INSTITUTION_WRAP, ROR

#: Open Funder Registry ids, as JATS4R wants them in funding: bare DOIs, with this vocabulary.
FUNDER_REGISTRY: Final = (
    ("institution-id-type", "doi"),
    ("vocab", "open-funder-registry"),
    ("vocab-identifier", "10.13039/open_funder_registry"),
)


_FUNDER_REGISTRY_ID: Final = Tag("institution-id", *FUNDER_REGISTRY)
#: A funder id of neither registry: an absolute URI is all the model knows of it.
_URI: Final = Tag("institution-id", ("institution-id-type", "uri"))


def _funder_id(funding: Funding) -> Markup:
    scheme = funding.funder_scheme
    if funding.funder_id is None:
        return NOTHING
    if scheme == "Crossref Funder ID":
        doi = funding.funder_id[funding.funder_id.index("10.13039/") :]
        return _FUNDER_REGISTRY_ID.leaf(doi)
    return (ROR if scheme == "ROR" else _URI).leaf(funding.funder_id)


_FUNDING_GROUP: Final = Tag("funding-group")
_AWARD_GROUP: Final = Tag("award-group")
_FUNDING_SOURCE: Final = Tag("funding-source")
_AWARD_ID: Final = Tag("award-id")
_AWARD_NAME: Final = Tag("award-name")


def funding_group(article: Article, lang: str | None) -> Markup:
    """One ``award-group`` per funder, its ``funding-source`` in one ``institution-wrap``."""
    groups = [
        _AWARD_GROUP.node(
            [
                _FUNDING_SOURCE.node(
                    [INSTITUTION_WRAP.node([_funder_id(f), INSTITUTION.leaf(f.funder)])]
                ),
                _AWARD_ID.leaf(f.award),
                _AWARD_NAME.leaf(f.award_title),
            ]
        )
        for f in article.funding
    ]
    return _FUNDING_GROUP.node(groups)
