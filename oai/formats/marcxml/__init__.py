"""marcxml: the article as a MARC 21 bibliographic record for a serial component part.

Library systems (Alma, Koha, VuFind and other discovery layers) ingest MARCXML.
The record is what a cataloguer would write from the article's facts and no more:
Leader/06-07 ``ab`` with a Continuing Resources 008 (:mod:`.fixed`), ISBD
punctuation (:mod:`.title`), the journal as host item (773, never 022, which
is the record's own ISSN) and links (856). :data:`FIELDS` is the mapping, one row
per field in tag order. Where MARC has no place for a fact the fact is left out:
an affiliation's ROR id (100/700 $u is text only).

Deliberately absent: 003 and 040, which name a MARC organisation code the
repository does not have; 005, which needs a transaction time the article does not
carry. A record without a title is not offered: MARC requires 245 $a.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ...article import Article, Person, Text
from .. import Format
from ..authors import kind
from ..licences import creative_commons
from ..markup import Markup, leaf, root
from ..vocabularies import ACCESS_RIGHTS, RESOURCE_TYPES, VERSIONS, language
from .fields import controlfield, datafield, flat
from .fixed import LEADER, ONLINE_006, ONLINE_007, field_008, language_code, online
from .links import host, links, review_of
from .title import final, nonfiling, statement

NAMESPACE = "http://www.loc.gov/MARC21/slim"
SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# -- 00X: identification and coded data ---------------------------------------------


def _control_number(article: Article) -> Iterator[Markup]:
    yield controlfield("001", flat(article.identifier))


_ONLINE = (controlfield("006", ONLINE_006), controlfield("007", ONLINE_007))


def _online(article: Article) -> Iterable[Markup]:
    return _ONLINE if online(article) else ()


def _fixed(article: Article) -> Iterator[Markup]:
    yield controlfield("008", field_008(article))


def _doi(article: Article) -> Iterator[Markup]:
    if article.doi:
        yield datafield("024", "7", " ", (("a", article.doi), ("2", "doi")))


def _codes(values: Iterable[str | None]) -> list[str]:
    found = (language(value) for value in values if value)
    return list(dict.fromkeys(lang.bibliographic for lang in found if lang is not None))


def _languages(article: Article) -> Iterator[Markup]:
    """041 only where 008/35-37 cannot say it all: several languages, or abstracts in others."""
    texts = _codes(article.languages)
    summaries = [code for code in _codes(t.lang for t in article.abstracts) if code not in texts]
    if len(texts) > 1 or summaries:
        yield datafield(
            "041", " ", " ", [("a", code) for code in texts] + [("b", code) for code in summaries]
        )


# -- 1XX/7XX: names -------------------------------------------------------------------


#: Tag ending and first indicator of each kind of author (:mod:`..authors`): person (X00,
#: surname first), organisation (X10, name in direct order), unknown (720, uncontrolled).
HEADINGS = {"person": ("00", "1"), "organisation": ("10", "2"), "unknown": ("20", " ")}


def _heading(article: Article, person: Person) -> tuple[str, str]:
    return HEADINGS[kind(person, article)]


def _name(
    person: Person, relator: str, code: str, uncontrolled: bool
) -> list[tuple[str, str | None]]:
    affiliations = "; ".join(flat(a.name) for a in person.affiliations)
    subfields: list[tuple[str, str | None]] = [
        ("a", flat(person.inverted) + ","),
        ("e", relator + "."),
    ]
    if not uncontrolled:  # 720 has no $u or $1
        subfields += [("u", affiliations), ("1", person.orcid)]
    return subfields + [("4", code)]


def _authors(article: Article) -> list[tuple[str, str, Person]]:
    """(tag, ind1, person) for each author in byline order: the first is the main entry."""
    out = []
    for position, person in enumerate(a for a in article.authors if flat(a.inverted)):
        ending, ind1 = _heading(article, person)
        main = position == 0 and ending != "20"
        out.append((("1" if main else "7") + ending, ind1, person))
    return out


def _main_entry(article: Article) -> Iterator[Markup]:
    for tag, ind1, person in _authors(article):
        if tag.startswith("1"):
            yield datafield(tag, ind1, " ", _name(person, "author", "aut", False))


def _added_entries(article: Article) -> Iterator[Markup]:
    for tag, ind1, person in _authors(article):
        if tag.startswith("7"):
            yield datafield(tag, ind1, " ", _name(person, "author", "aut", tag == "720"))
    funders = dict.fromkeys((f.funder, f.funder_id) for f in article.funding)
    for funder, funder_id in funders:
        subfields = [("a", flat(funder) + ","), ("e", "funder."), ("1", funder_id), ("4", "fnd")]
        yield datafield("710", "2", " ", subfields)


# -- 2XX-3XX: title, publication, description ---------------------------------------


def main_title(article: Article) -> Text | None:
    """The title 245 gives: the record's first title that is not blank."""
    return next((title for title in article.titles if flat(title.value)), None)


def _title(article: Article) -> Iterator[Markup]:
    title = main_title(article)
    assert title is not None  # render declines a record without one
    authors = _authors(article)
    names = ", ".join(flat(person.natural) for _, _, person in authors)
    main_entry = "1" if authors and authors[0][0].startswith("1") else "0"
    # The title's own language decides its article; else the record's.
    if title.lang:
        found = language(title.lang)
        code = found.bibliographic if found is not None else None
    else:
        code = language_code(article).strip() or None
    proper = flat(title.value)
    skip = str(nonfiling(proper, code))
    yield datafield("245", main_entry, skip, statement(proper, names or None))


def _variant_titles(article: Article) -> Iterator[Markup]:
    """246 3_ for each further title; 31 (parallel title) when it is in another language."""
    first = main_title(article)
    for title in article.titles:
        if title is not first:
            parallel = bool(first and first.lang and title.lang and title.lang != first.lang)
            yield datafield("246", "3", "1" if parallel else " ", (("a", title.value),))


def _publication(article: Article) -> Iterator[Markup]:
    publisher, year = article.publisher, article.year
    subfields: list[tuple[str, str | None]] = []
    if publisher and flat(publisher):
        subfields.append(("b", flat(publisher) + ("," if year else "")))
    if year:
        subfields.append(("c", str(year)))
    if subfields:
        subfields[-1] = (subfields[-1][0], final(subfields[-1][1] or ""))
        yield datafield("264", " ", "1", subfields)


def _extent(article: Article) -> Iterator[Markup]:
    """300: "1 online resource (19 pages)" when the pages are a numeric range."""
    pages = article.pages
    count = None
    if pages and pages.last and pages.first.isdigit() and pages.last.isdigit():
        if int(pages.last) >= int(pages.first):
            n = int(pages.last) - int(pages.first) + 1
            count = f"{n} page" if n == 1 else f"{n} pages"
    if online(article):
        yield datafield(
            "300",
            " ",
            " ",
            (("a", f"1 online resource ({count})" if count else "1 online resource"),),
        )
    elif count:
        yield datafield("300", " ", " ", (("a", count),))


_TEXT = datafield("336", " ", " ", (("a", "text"), ("b", "txt"), ("2", "rdacontent")))
_ONLINE_TEXT = (
    _TEXT,
    datafield("337", " ", " ", (("a", "computer"), ("b", "c"), ("2", "rdamedia"))),
    datafield("338", " ", " ", (("a", "online resource"), ("b", "cr"), ("2", "rdacarrier"))),
)


def _content_types(article: Article) -> Iterable[Markup]:
    """RDA content type (text, always), and media and carrier types when it is online."""
    return _ONLINE_TEXT if online(article) else (_TEXT,)


# -- 5XX: notes ---------------------------------------------------------------------

#: 500 version note: NISO JAV's name of the version, as a sentence ("Version of record.").
VERSION_NOTES = {version: term.name.capitalize() + "." for version, term in VERSIONS.items()}


def _notes(article: Article) -> Iterator[Markup]:
    if article.given:  # an article record: the model's default version applies
        yield datafield("500", " ", " ", (("a", VERSION_NOTES[article.version]),))
    if article.section:
        yield datafield("500", " ", " ", (("a", final(f"Section: {flat(article.section)}")),))


#: 506 $a: COAR's label of each access right, as a sentence starts.
ACCESS_TEXT = {key: term.label[0].upper() + term.label[1:] for key, term in ACCESS_RIGHTS.items()}
_OPEN = datafield(
    "506",
    "0",
    " ",
    (("a", ACCESS_TEXT["open"]), ("f", "Unrestricted online access"), ("2", "star")),
)


def _access(article: Article) -> Iterable[Markup]:
    """506: ind1 0 (no restrictions) for open access, with the star term; else 1."""
    if article.access is None:
        return ()
    if article.access == "open":
        return (_OPEN,)
    text, until = ACCESS_TEXT[article.access], article.embargo_until
    if article.access != "embargoed" or until is None:
        return (datafield("506", "1", " ", (("a", text),)),)
    # $g, the availability date: ISO 8601 basic, yyyymmdd (yyyymm, yyyy when less is known).
    available = (("a", f"{text} until {until.iso}"), ("g", until.iso.replace("-", "")))
    return (datafield("506", "1", " ", available),)


def _abstracts(article: Article) -> Iterator[Markup]:
    for text in article.abstracts:
        yield datafield("520", "3", " ", (("a", text.value),))


def _funding(article: Article) -> Iterator[Markup]:
    for grant in article.funding:
        text = f"{grant.funder}: {grant.award_title}" if grant.award_title else grant.funder
        yield datafield("536", " ", " ", (("a", text), ("c", grant.award)))


def _license(article: Article) -> Iterator[Markup]:
    if article.license is None:
        return
    cc = creative_commons(article.license)
    if cc is None:
        yield datafield("540", " ", " ", (("u", article.license),))
        return
    subfields = (("a", cc.name), ("f", cc.abbreviation), ("2", "cc"), ("u", article.license))
    yield datafield("540", " ", " ", subfields)


def _language_note(article: Article) -> Iterator[Markup]:
    """546 for a language the record names that MARC's code list here cannot code."""
    for value in article.languages:
        if flat(value) and language(value) is None:
            yield datafield("546", " ", " ", (("a", f"Language: {value}"),))


# -- 6XX: subjects and genre --------------------------------------------------------


def _keywords(article: Article) -> Iterator[Markup]:
    for keyword in article.keywords:
        yield datafield("653", " ", " ", (("a", keyword.value),))


def _genre(article: Article) -> Iterator[Markup]:
    if article.given:
        term = RESOURCE_TYPES[article.article_type]
        yield datafield("655", " ", "4", (("a", term.label), ("0", term.uri)))


#: The record's fields in tag order, each from the article keys named beside it.
FIELDS: tuple[Callable[[Article], Iterable[Markup]], ...] = (
    _control_number,  # 001 identifier
    _online,  # 006, 007: url or files
    _fixed,  # 008: published, url/files, article_type, language
    _doi,  # 024 7_ $a $2 doi: doi
    _languages,  # 041: language, description@lang
    _main_entry,  # 100/110: first of authors (family, given / name, affiliations, orcid)
    _title,  # 245: title, authors
    _variant_titles,  # 246: further titles
    _publication,  # 264 _1: publisher, published (year)
    _extent,  # 300: pages, url/files
    _content_types,  # 336/337/338: url/files
    _notes,  # 500: version, section
    _access,  # 506: access, embargo_until
    _abstracts,  # 520 3_: description
    _funding,  # 536: funding (funder, award_title, award)
    _license,  # 540: license
    _language_note,  # 546: language MARC cannot code
    _keywords,  # 653: subject
    _genre,  # 655 _4: article_type (COAR)
    _added_entries,  # 700/710/720: further authors; 710: funders (funder_id)
    host,  # 773: journal, volume, issue, published, pages, issn, eissn
    review_of,  # 787 08: reviewed
    links,  # 856 40: url, files
)

_NAMESPACES = (("", NAMESPACE), ("xsi", XSI))
_ROOT_ATTRIBUTES = (("xsi:schemaLocation", f"{NAMESPACE} {SCHEMA}"), ("type", "Bibliographic"))
_LEADER = leaf("leader", LEADER)


def render(article: Article) -> Markup | None:
    """``<record>`` in MARCXML, or None for a record without a title."""
    if main_title(article) is None:
        return None
    children = [_LEADER]
    for field in FIELDS:
        children.extend(field(article))
    return root("record", _NAMESPACES, children, *_ROOT_ATTRIBUTES)


FORMAT = Format(
    prefix="marcxml",
    namespace=NAMESPACE,
    schema=SCHEMA,
    render=render,
    version=2,
    requires="a title (MARC's 245 $a)",
    title=(
        "MARC 21 bibliographic record in MARCXML, as a serial component part "
        "(library catalogues and discovery systems that harvest MARC: Alma, Koha, VuFind)"
    ),
)
