"""DataCite kernel-4 elements that oai_openaire and oai_datacite both write.

OpenAIRE's Literature Guidelines v4 borrow DataCite's creators, contributors,
titles, subjects and funding references (``datacite:`` and ``oaire:`` prefixes);
oai_datacite writes the same elements unprefixed. One :class:`Kernel` per prefix,
its tags built once, keeps the two formats saying the same thing the same way: a
creator's nameIdentifier (ORCID) comes before its affiliations, as both schemas'
sequences require (OpenAIRE's own documentation example has them the other way
round, which its XSD rejects).
"""

from __future__ import annotations

from ..article import Affiliation, Article, Funding
from .authors import kind
from .markup import Markup, Tag, leaf, tag

ORCID_SCHEME_URI = "https://orcid.org"
ROR_SCHEME_URI = "https://ror.org"
#: dc ``contributor`` says nothing of the role: DataCite's word for that is ``Other``.
CONTRIBUTOR_TYPE = "Other"
#: DataCite's nameType of each kind of author (:mod:`.authors`); none for an unknown one.
NAME_TYPES = {"person": "Personal", "organisation": "Organizational", "unknown": None}
#: ``Funding.funder_scheme``'s values, DataCite's funderIdentifierType words.
FUNDER_SCHEMES = ("Crossref Funder ID", "ROR", "Other")


class Kernel:
    """The shared kernel-4 elements with one namespace prefix (``datacite:``, ``oaire:``, none)."""

    def __init__(self, prefix: str) -> None:
        self._affiliation = f"{prefix}affiliation"
        self._plain_affiliation = Tag(self._affiliation)
        self._creators = Tag(f"{prefix}creators")
        self._creator = Tag(f"{prefix}creator")
        self._creator_names = {
            kind: Tag(f"{prefix}creatorName", ("nameType", name))
            for kind, name in NAME_TYPES.items()
        }
        self._given_name = Tag(f"{prefix}givenName")
        self._family_name = Tag(f"{prefix}familyName")
        self._orcid = Tag(
            f"{prefix}nameIdentifier",
            ("nameIdentifierScheme", "ORCID"),
            ("schemeURI", ORCID_SCHEME_URI),
        )
        self._contributors = Tag(f"{prefix}contributors")
        self._contributor = Tag(f"{prefix}contributor", ("contributorType", CONTRIBUTOR_TYPE))
        self._contributor_name = Tag(f"{prefix}contributorName")
        self._titles = Tag(f"{prefix}titles")
        self._title = f"{prefix}title"
        self._subjects = Tag(f"{prefix}subjects")
        self._subject = f"{prefix}subject"
        self._funding_references = Tag(f"{prefix}fundingReferences")
        self._funding_reference = Tag(f"{prefix}fundingReference")
        self._funder_name = Tag(f"{prefix}funderName")
        self._funder_ids = {
            scheme: Tag(f"{prefix}funderIdentifier", ("funderIdentifierType", scheme))
            for scheme in FUNDER_SCHEMES
        }
        self._award_number = Tag(f"{prefix}awardNumber")
        self._award_title = Tag(f"{prefix}awardTitle")

    def _affiliation_of(self, affiliation: Affiliation) -> Markup:
        ror = affiliation.ror
        if ror is None:
            return self._plain_affiliation.leaf(affiliation.name)
        return leaf(
            self._affiliation,
            affiliation.name,
            ("affiliationIdentifier", ror),
            ("affiliationIdentifierScheme", "ROR"),
            ("schemeURI", ROR_SCHEME_URI),
        )

    def creators(self, article: Article) -> Markup:
        """The authors in byline order; nothing when the record names none."""
        return self._creators.node(
            [
                self._creator.node(
                    [
                        self._creator_names[kind(person, article)].leaf(person.inverted),
                        self._given_name.leaf(person.given),
                        self._family_name.leaf(person.family),
                        self._orcid.leaf(person.orcid),
                        *[self._affiliation_of(a) for a in person.affiliations],
                    ]
                )
                for person in article.authors
            ]
        )

    def contributors(self, article: Article) -> Markup:
        """The record's Dublin Core contributors, role unknown (``Other``)."""
        return self._contributors.node(
            [
                self._contributor.node([self._contributor_name.leaf(text.value)])
                for text in article.dc.get("contributor", ())
            ]
        )

    def titles(self, article: Article) -> Markup:
        """Every title with its language; the first is the main one (no titleType)."""
        return self._titles.node(
            [tag(self._title, ("xml:lang", text.lang)).leaf(text.value) for text in article.titles]
        )

    def subjects(self, article: Article) -> Markup:
        """The keywords, free text (no scheme: the record names none)."""
        return self._subjects.node(
            [
                tag(self._subject, ("xml:lang", text.lang)).leaf(text.value)
                for text in article.keywords
            ]
        )

    def _funding(self, funding: Funding) -> Markup:
        scheme = funding.funder_scheme
        return self._funding_reference.node(
            [
                self._funder_name.leaf(funding.funder),
                self._funder_ids[scheme].leaf(funding.funder_id) if scheme else Markup(""),
                self._award_number.leaf(funding.award),
                self._award_title.leaf(funding.award_title),
            ]
        )

    def funding_references(self, article: Article) -> Markup:
        return self._funding_references.node([self._funding(f) for f in article.funding])


#: The elements as OpenAIRE writes them, with DataCite's and OpenAIRE's own prefix.
WITH_DATACITE_PREFIX = Kernel("datacite:")
WITH_OAIRE_PREFIX = Kernel("oaire:")
#: The elements as oai_datacite writes them, in the kernel's default namespace.
UNPREFIXED = Kernel("")
