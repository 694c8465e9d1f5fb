"""What a person looks for in a record, per metadata format: a label and an XPath for each.

A harvester reads MARC by tag and MODS by element; a person looks for the title, the
authors, the journal, the DOI. Each :class:`Table` below says where one format keeps
those facts, in the order a reader expects them, so that the browser view shows a
record in any format with the same labels (:mod:`.layout` evaluates the tables).
Paths start at the format's metadata element (``<mods>``, ``<record>``...). Entries
with the same label make one field, their values in table order: a title and its
translations, or a fact one format keeps in two places. A format without a table is
shown by leaf paths instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formats import jats, marcxml, mods, oai_datacite, oai_dc, oai_openaire


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a value: an XPath from the value's node, shown after ``prefix`` when found."""

    path: str
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One labelled fact: every node ``path`` finds is one value."""

    label: str
    #: From the metadata element: an element, attribute or text per value.
    path: str
    #: From each node: the pieces of its text, joined with ``join``; none: the node's own text.
    parts: tuple[str | Part, ...] = ()
    join: str = ", "
    #: From each node: an identifier to follow, shown beside the text (ORCID, ROR, funder id).
    link: str | None = None
    #: The text is a DOI: shown as its https://doi.org/ link.
    doi: bool = False
    #: The text ends in ISBD punctuation (MARC's "Carberry, Josiah,"): dropped for display.
    isbd: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    namespaces: dict[str, str]
    entries: tuple[Entry, ...]


def _sf(code: str) -> str:
    return f"m:subfield[@code='{code}']"


def _df(tag: str, code: str | None = None) -> str:
    """MARC data field ``tag`` (in any of its occurrences), or its subfield ``code``."""
    return f"m:datafield[@tag='{tag}']" + (f"/{_sf(code)}" if code else "")


DUBLIN_CORE = Table(
    {"dc": oai_dc.DC},
    (
        Entry("Title", "dc:title"),
        Entry("Authors", "dc:creator"),
        Entry("Contributors", "dc:contributor"),
        Entry("Source", "dc:source"),
        Entry("Publication date", "dc:date"),
        Entry("Type", "dc:type"),
        Entry("DOI", "dc:identifier[starts-with(., 'https://doi.org/')]", doi=True),
        Entry("Identifiers", "dc:identifier[not(starts-with(., 'https://doi.org/'))]"),
        Entry("Licence", "dc:rights[starts-with(., 'http')]"),
        Entry("Access", "dc:rights[starts-with(., 'info:eu-repo/semantics/')]"),
        Entry("Rights", "dc:rights[not(starts-with(., 'http') or starts-with(., 'info:eu-repo'))]"),
        Entry("Abstract", "dc:description"),
        Entry("Keywords", "dc:subject"),
        Entry("Relation", "dc:relation"),
        Entry("Coverage", "dc:coverage"),
        Entry("Formats", "dc:format"),
        Entry("Language", "dc:language"),
        Entry("Publisher", "dc:publisher"),
    ),
)

# OpenAIRE and DataCite share DataCite's elements (prefix d here, o for the other namespace).
_ORCID = "d:nameIdentifier[@nameIdentifierScheme='ORCID']"
_CONTRIBUTORS = "d:contributors/d:contributor"
_ISSUED = "d:dates/d:date[@dateType='Issued']"
_RELATED = "d:relatedIdentifiers/d:relatedIdentifier"
_FUNDED = ("o:funderName", "o:awardNumber", "o:awardTitle")
_UNTIL = Part("../d:dates/d:date[@dateType='Available']", "until ")
OPENAIRE = Table(
    {"o": oai_openaire.NAMESPACE, "d": oai_openaire.DATACITE, "dc": oai_openaire.DC},
    (
        Entry("Title", "d:titles/d:title"),
        Entry("Authors", "d:creators/d:creator", parts=("d:creatorName",), link=_ORCID),
        Entry("Affiliations", "d:creators/d:creator/d:affiliation", link="@affiliationIdentifier"),
        Entry("Contributors", _CONTRIBUTORS, parts=("d:contributorName",), link=_ORCID),
        Entry("Journal", "o:citationTitle"),
        Entry(
            "ISSN", f"{_RELATED}[@relatedIdentifierType='ISSN' or @relatedIdentifierType='EISSN']"
        ),
        Entry("Volume", "o:citationVolume"),
        Entry("Issue", "o:citationIssue"),
        Entry("Pages", "o:citationStartPage", parts=(".", "../o:citationEndPage"), join="-"),
        Entry("Publication date", _ISSUED),
        Entry("Type", "o:resourceType", link="@uri"),
        Entry("Version", "o:version", link="@uri"),
        Entry("DOI", "d:identifier[@identifierType='DOI']", doi=True),
        Entry("Landing page", "d:identifier[@identifierType='URL']"),
        Entry("Landing page", "d:alternateIdentifiers/*[@alternateIdentifierType='URL']"),
        Entry("Full text", "o:file", parts=("@mimeType",), link="."),
        Entry(
            "Licence", "o:licenseCondition", parts=(".", Part("@startDate", "from ")), link="@uri"
        ),
        Entry("Access", "d:rights", parts=(".", _UNTIL), join=" ", link="@rightsURI"),
        Entry("Abstract", "dc:description"),
        Entry("Keywords", "d:subjects/d:subject"),
        Entry("Funding", "o:fundingReferences/*", parts=_FUNDED, link="o:funderIdentifier"),
        Entry(
            "Reviewed work",
            f"{_RELATED}[@relationType='Reviews'][@relatedIdentifierType='ISBN']",
            parts=(Part(".", "ISBN "),),
        ),
        Entry("Language", "dc:language"),
        Entry("Publisher", "dc:publisher"),
    ),
)

_AUTHORS = (
    "m:datafield[@tag='100' or @tag='110' or @tag='700' or @tag='710' or @tag='720']"
    "[m:subfield[@code='4']='aut']"
)
_HOST = "m:datafield[@tag='773'][@ind1='0']"
_SECTION = _df("500", "a") + "[starts-with(., 'Section: ')]"
_IMPRINT = "m:datafield[@tag='264'][@ind2='1']"
_REVIEW = ("t", "d", "z")
MARC = Table(
    {"m": marcxml.NAMESPACE},
    (
        Entry("Title", _df("245"), parts=(_sf("a"), _sf("b")), join=": ", isbd=True),
        Entry("Title", _df("246", "a")),
        Entry("Authors", _AUTHORS, parts=(_sf("a"),), link=_sf("1"), isbd=True),
        Entry("Affiliations", f"{_AUTHORS}/{_sf('u')}"),
        Entry("Journal", f"{_HOST}/{_sf('t')}"),
        Entry("ISSN", _df("773", "x")),
        Entry("Volume, issue, pages", f"{_HOST}/{_sf('g')}"),
        Entry("Section", _SECTION, parts=("substring-after(., 'Section: ')",), isbd=True),
        Entry("Publication date", f"{_IMPRINT}/{_sf('c')}", isbd=True),
        Entry("Type", _df("655"), parts=(_sf("a"),), link=_sf("0")),
        Entry("Version", _df("500", "a") + "[not(starts-with(., 'Section: '))]", isbd=True),
        Entry("DOI", _df("024") + f"[{_sf('2')}='doi']/{_sf('a')}", doi=True),
        Entry("Landing page", _df("856") + f"[{_sf('y')}='Landing page']/{_sf('u')}"),
        Entry(
            "Full text", _df("856") + f"[{_sf('y')}='Full text']", parts=(_sf("q"),), link=_sf("u")
        ),
        Entry("Licence", _df("540"), parts=(_sf("a"),), link=_sf("u")),
        Entry("Access", _df("506", "a")),
        # Notes, not headings: a summary's final period is its own.
        Entry("Abstract", _df("520", "a")),
        Entry("Keywords", _df("653", "a")),
        Entry("Funding", _df("536"), parts=(_sf("a"), _sf("c"))),
        Entry(
            "Funders",
            _df("710") + f"[{_sf('4')}='fnd']",
            parts=(_sf("a"),),
            link=_sf("1"),
            isbd=True,
        ),
        Entry(
            "Reviewed work",
            _df("787"),
            parts=(_sf("t"), _sf("d"), Part(_sf("z"), "ISBN ")),
            join="; ",
            isbd=True,
        ),
        # $a is the first author; with more than one, $n names them all.
        Entry("Reviewed work by", _df("787") + f"[not({_sf('n')})]/{_sf('a')}", isbd=True),
        Entry("Reviewed work by", _df("787", "n"), parts=("substring-after(., 'Authors: ')",)),
        Entry("Language", _df("041", "a")),
        Entry(
            "Language",
            "m:controlfield[@tag='008'][not(../m:datafield[@tag='041'])]",
            parts=("substring(., 36, 3)",),
        ),
        Entry("Language", _df("546", "a"), parts=("substring-after(., 'Language: ')",)),
        Entry("Publisher", f"{_IMPRINT}/{_sf('b')}", isbd=True),
    ),
)

_R = "o:payload/d:resource/"
_JOURNAL = f"{_R}d:relatedItems/d:relatedItem[@relationType='IsPublishedIn']"
_REVIEWS = f"{_R}d:relatedItems/d:relatedItem[@relationType='Reviews']"
_CREATORS = f"{_R}d:creators/d:creator[d:creatorName != '{oai_datacite.UNAVAILABLE}']"
_BOOK = (
    "d:titles/d:title",
    "d:publisher",
    "d:publicationYear",
    Part("d:relatedItemIdentifier[@relatedItemIdentifierType='ISBN']", "ISBN "),
)
_EU_REPO = "starts-with(@rightsURI, 'info:eu-repo/')"
DATACITE = Table(
    {"o": oai_datacite.NAMESPACE, "d": oai_datacite.KERNEL},
    (
        Entry("Title", f"{_R}d:titles/d:title"),
        Entry("Authors", _CREATORS, parts=("d:creatorName",), link=_ORCID),
        Entry("Affiliations", f"{_CREATORS}/d:affiliation", link="@affiliationIdentifier"),
        Entry("Contributors", _R + _CONTRIBUTORS, parts=("d:contributorName",), link=_ORCID),
        Entry("Journal", f"{_JOURNAL}/d:titles/d:title"),
        Entry("ISSN", f"{_R}{_RELATED}[@relationType='IsPublishedIn']"),
        Entry("Volume", f"{_JOURNAL}/d:volume"),
        Entry("Issue", f"{_JOURNAL}/d:issue"),
        Entry("Pages", f"{_JOURNAL}/d:firstPage", parts=(".", "../d:lastPage"), join="-"),
        Entry("Publication date", _R + _ISSUED),
        Entry("Type", f"{_R}d:resourceType"),
        Entry("DOI", f"{_R}d:identifier[@identifierType='DOI']", doi=True),
        Entry("Landing page", f"{_R}d:alternateIdentifiers/*[@alternateIdentifierType='URL']"),
        Entry("Licence", f"{_R}d:rightsList/d:rights[not({_EU_REPO})]", link="@rightsURI"),
        Entry(
            "Access",
            f"{_R}d:rightsList/d:rights[{_EU_REPO}]",
            parts=(".", Part("../../d:dates/d:date[@dateType='Available']", "until ")),
            join=" ",
        ),
        Entry("Abstract", f"{_R}d:descriptions/d:description[@descriptionType='Abstract']"),
        Entry("Keywords", f"{_R}d:subjects/d:subject"),
        Entry(
            "Funding",
            f"{_R}d:fundingReferences/d:fundingReference",
            parts=("d:funderName", "d:awardNumber", "d:awardTitle"),
            link="d:funderIdentifier",
        ),
        Entry("Reviewed work", _REVIEWS, parts=_BOOK, join="; "),
        Entry("Reviewed work by", f"{_REVIEWS}/d:creators/d:creator/d:creatorName"),
        Entry("Language", f"{_R}d:language"),
        Entry("Publisher", f"{_R}d:publisher"),
        Entry("Formats", f"{_R}d:formats/d:format"),
    ),
)

_META = "j:front/j:article-meta/"
_JOURNAL_META = "j:front/j:journal-meta/"
_CONTRIBS = f"{_META}j:contrib-group/"
_PERSON = ("j:name/j:surname", "j:name/j:given-names", "j:collab")
_TITLES = ("j:article-title", "j:trans-title-group/j:trans-title", "j:alt-title")
_PRODUCT = f"{_META}j:product"
_AWARD = ("j:funding-source//j:institution", "j:award-id", "j:award-name")
JATS = Table(
    {"j": jats.NAMESPACE, "ali": jats.ALI, "xlink": jats.XLINK},
    (
        Entry("Title", " | ".join(f"{_META}j:title-group/{title}" for title in _TITLES)),
        Entry(
            "Authors",
            f"{_CONTRIBS}j:contrib[@contrib-type='author']",
            parts=_PERSON,
            link="j:contrib-id[@contrib-id-type='orcid']",
        ),
        Entry(
            "Affiliations",
            f"{_CONTRIBS}j:aff",
            parts=(".//j:institution",),
            link=".//j:institution-id[@institution-id-type='ror']",
        ),
        Entry("Journal", f"{_JOURNAL_META}j:journal-title-group/j:journal-title"),
        Entry("ISSN", f"{_JOURNAL_META}j:issn"),
        Entry("Volume", f"{_META}j:volume"),
        Entry("Issue", f"{_META}j:issue"),
        Entry("Pages", f"{_META}j:fpage", parts=(".", "../j:lpage"), join="-"),
        Entry("Article number", f"{_META}j:elocation-id"),
        Entry("Section", f"{_META}j:article-categories/*[@subj-group-type='heading']/j:subject"),
        Entry("Publication date", f"{_META}j:pub-date/@iso-8601-date"),
        Entry("Type", "@article-type"),
        Entry("Version", f"{_META}j:article-version"),
        Entry("DOI", f"{_META}j:article-id[@pub-id-type='doi']", doi=True),
        Entry("Landing page", f"{_META}j:self-uri[not(@content-type)]/@xlink:href"),
        Entry("Full text", f"{_META}j:self-uri[@content-type]", link="@xlink:href"),
        Entry("Licence", f"{_META}j:permissions/j:license/@xlink:href"),
        # A quoted part is an XPath string: fixed text, shown when the node is there.
        Entry(
            "Access",
            f"{_META}j:permissions/ali:free_to_read",
            parts=("'free to read'", Part("@start_date", "from ")),
            join=" ",
        ),
        Entry("Abstract", f"{_META}j:abstract | {_META}j:trans-abstract"),
        Entry("Keywords", f"{_META}j:kwd-group/j:kwd"),
        Entry(
            "Funding",
            f"{_META}j:funding-group/j:award-group",
            parts=_AWARD,
            link="j:funding-source//j:institution-id",
        ),
        Entry(
            "Reviewed work",
            _PRODUCT,
            parts=("j:source", "j:publisher-name", "j:year", Part("j:isbn", "ISBN ")),
            join="; ",
        ),
        Entry(
            "Reviewed work by",
            f"{_PRODUCT}/j:person-group/*[self::j:name or self::j:collab]",
            parts=("j:surname", "j:given-names", "self::j:collab"),
        ),
        Entry("Language", "@xml:lang"),
        Entry("Publisher", f"{_JOURNAL_META}j:publisher/j:publisher-name"),
    ),
)

_NAME_PARTS = ("m:namePart[@type='family']", "m:namePart[@type='given']", "m:namePart[not(@type)]")
_HOST_PART = "m:relatedItem[@type='host']/m:part/"
_REVIEWED = "m:relatedItem[@type='reviewOf']"
_WORK = (
    "m:titleInfo/m:title",
    "m:originInfo/m:publisher",
    "m:originInfo/m:dateIssued",
    Part("m:identifier[@type='isbn']", "ISBN "),
)
_AUTHOR = "m:name[m:role/m:roleTerm[@type='code']='aut']"
_FUNDER = "m:name[m:role/m:roleTerm[@type='code']='fnd']"
MODS = Table(
    {"m": mods.NAMESPACE, "xlink": mods.XLINK},
    (
        Entry("Title", "m:titleInfo/m:title"),
        Entry("Authors", _AUTHOR, parts=_NAME_PARTS, link="m:nameIdentifier[@type='orcid']"),
        Entry("Affiliations", f"{_AUTHOR}/m:affiliation", link="@valueURI"),
        Entry("Journal", "m:relatedItem[@type='host']/m:titleInfo/m:title"),
        Entry("ISSN", "m:relatedItem[@type='host']/m:identifier[@type='issn']"),
        Entry("Volume", f"{_HOST_PART}m:detail[@type='volume']/m:number"),
        Entry("Issue", f"{_HOST_PART}m:detail[@type='issue']/m:number"),
        Entry(
            "Pages", f"{_HOST_PART}m:extent[@unit='pages']", parts=("m:start", "m:end"), join="-"
        ),
        Entry("Article number", f"{_HOST_PART}m:detail[@type='article']/m:number"),
        Entry("Section", f"{_HOST_PART}m:detail[@type='section']/m:title"),
        Entry("Publication date", "m:originInfo[@eventType='publication']/m:dateIssued"),
        Entry("Type", "m:genre[@authority='coar']", link="@valueURI"),
        Entry("Version", "m:note[@type='version identification']", link="@xlink:href"),
        Entry("DOI", "m:identifier[@type='doi']", doi=True),
        Entry("Landing page", "m:location/m:url[@access='object in context']"),
        Entry(
            "Full text",
            "m:location/m:url[@access='raw object']",
            parts=("@displayLabel",),
            link=".",
        ),
        Entry("Licence", "m:accessCondition[@type='use and reproduction']", link="@xlink:href"),
        Entry("Access", "m:accessCondition[@type='restriction on access']", link="@valueURI"),
        Entry("Abstract", "m:abstract"),
        Entry("Keywords", "m:subject/m:topic"),
        Entry("Funding", "m:note[@type='funding']"),
        Entry("Funders", _FUNDER, parts=("m:namePart",), link="m:nameIdentifier"),
        Entry("Reviewed work", _REVIEWED, parts=_WORK, join="; "),
        Entry("Reviewed work by", f"{_REVIEWED}/m:name", parts=_NAME_PARTS),
        Entry("Language", "m:language", parts=("m:languageTerm",)),
        Entry("Publisher", "m:originInfo[@eventType='publication']/m:publisher"),
    ),
)

#: Each format's table by the namespace of its metadata element.
TABLES: dict[str, Table] = {
    oai_dc.NAMESPACE: DUBLIN_CORE,
    oai_openaire.NAMESPACE: OPENAIRE,
    marcxml.NAMESPACE: MARC,
    oai_datacite.NAMESPACE: DATACITE,
    jats.NAMESPACE: JATS,
    mods.NAMESPACE: MODS,
}
