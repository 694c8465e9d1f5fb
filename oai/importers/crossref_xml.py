"""Crossref deposit XML (``doi_batch``, schema 4.x and 5.x): each journal_article as an article.

What is read, from each ``journal`` of the batch's body (other content, a book or
a conference, is counted as skipped):

- journal_metadata: full_title, issn by media_type (the schema's default is print);
- journal_issue: journal_volume/volume, issue, and publication_date, which stands for
  an article that gives no date of its own (it appeared in that issue);
- journal_article: titles (title and subtitle joined ``Title: Subtitle``;
  original_language_title as a further title in its language), contributors
  (person_name authors in sequence, the ``first`` one first, with ORCID and
  affiliations, 4.x ``affiliation`` text or 5.x ``institution`` with name, department
  and ROR; organization authors by name; editors, chairs and translators as Dublin Core
  contributors), jats:abstract (as text, with its xml:lang), publication_date (online,
  else print, else any other: the first date the article was public, as the REST
  API's ``published-online`` is preferred), pages (or the article number),
  crossmark updates (a correction or retraction notice says so), ai:program licences
  and free-to-read (see ``access``), fr:program funding, doi_data doi, resource
  (the landing page) and collection items that give a MIME type (the full texts), and
  the language attribute. component_list and citation_list are not read.

A deposit has no publisher name, section or keywords: records from it have none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from lxml import etree

from . import access, values
from .errors import fail
from .flatten import local_name, text_of
from .records import Imported, Skipped, compact, inverted, join_title, person, text_value

_T = TypeVar("_T")

JATS1 = "http://www.ncbi.nlm.nih.gov/JATS1"
AI = "http://www.crossref.org/AccessIndicators.xsd"
FR = "http://www.crossref.org/fundref.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = "http://www.crossref.org/schema/"

#: Crossmark update types that make the depositing article a notice of that kind.
UPDATE_TYPES = {
    "correction": "correction",
    "corrigendum": "correction",
    "erratum": "correction",
    "retraction": "retraction",
    "partial_retraction": "retraction",
    "withdrawal": "retraction",
}
#: Contributor roles that are Dublin Core contributors (authors are ``authors``).
CONTRIBUTOR_ROLES = frozenset({"editor", "chair", "translator"})
_NOT_READ = frozenset({"component_list", "citation_list"})


class _Reader:
    """Reads one deposit; ``q`` names an element in the deposit's own schema namespace."""

    def __init__(self, name: str, root: etree._Element, today: date) -> None:
        self.name = name
        self.today = today
        namespace = etree.QName(root).namespace or ""
        version = namespace.removeprefix(SCHEMA)
        if local_name(root) != "doi_batch" or not namespace.startswith(SCHEMA):
            fail(self.at(root), f"not a Crossref deposit: the root is <{local_name(root)}>")
        if not version.startswith(("4.", "5.")):
            fail(self.at(root), f"Crossref schema {version} is not read (4.x and 5.x are)")
        self.ns = namespace
        self.root = root

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def at(self, element: etree._Element) -> str:
        return f"{self.name}:{element.sourceline}"

    def text(self, parent: etree._Element | None, path: str) -> str | None:
        if parent is None:
            return None
        found = parent.find(path.replace("cr:", f"{{{self.ns}}}"))
        return None if found is None else values.clean(text_of(found, inline=True))

    def checked(self, element: etree._Element, convert: Callable[..., _T], *args: Any) -> _T:
        try:
            return convert(*args)
        except ValueError as exc:
            fail(self.at(element), str(exc))

    def items(self) -> Iterator[Imported | Skipped]:
        body = self.root_body()
        for child in body:
            if not isinstance(child.tag, str):
                continue
            if child.tag != self.q("journal"):
                yield Skipped(local_name(child))
                continue
            journal = self.journal(child)
            issue = self.issue(child.find(self.q("journal_issue")))
            for article in child.iterfind(self.q("journal_article")):
                yield self.article(article, journal, issue)

    def root_body(self) -> etree._Element:
        body = self.root.find(self.q("body"))
        if body is None:
            fail(self.at(self.root), "the deposit has no <body>")
        return body

    def journal(self, journal: etree._Element) -> dict[str, Any]:
        meta = journal.find(self.q("journal_metadata"))
        if meta is None:
            fail(self.at(journal), "<journal> has no <journal_metadata>")
        found: dict[str, Any] = {"journal": self.text(meta, "cr:full_title")}
        for issn in meta.iterfind(self.q("issn")):
            key = "eissn" if issn.get("media_type", "print") == "electronic" else "issn"
            if key not in found and issn.text and issn.text.strip():
                found[key] = self.checked(issn, values.issn, issn.text)
        return found

    def issue(self, issue: etree._Element | None) -> dict[str, Any]:
        if issue is None:
            return {}
        return {
            "volume": self.text(issue, "cr:journal_volume/cr:volume"),
            "issue": self.text(issue, "cr:issue"),
            "date": self.published(issue),
        }

    def published(self, parent: etree._Element) -> str | None:
        dates = {
            element.get("media_type", "print"): element
            for element in reversed(parent.findall(self.q("publication_date")))
        }
        for media in ("online", "print", *sorted(dates)):
            if media in dates:
                element = dates[media]
                return self.checked(
                    element,
                    values.partial_date,
                    self.text(element, "cr:year"),
                    self.text(element, "cr:month"),
                    self.text(element, "cr:day"),
                )
        return None

    def article(
        self, article: etree._Element, journal: dict[str, Any], issue: dict[str, Any]
    ) -> Imported:
        doi_data = article.find(self.q("doi_data"))
        doi_text = self.text(doi_data, "cr:doi")
        if doi_data is None or doi_text is None:
            fail(self.at(article), "<journal_article> has no doi_data/doi")
        doi = self.checked(doi_data, values.doi, doi_text)
        where = f"{self.at(article)}: {doi}"
        published = self.published(article) or issue.get("date")
        authors, contributors = self.contributors(article.find(self.q("contributors")))
        rights = self.rights(article, published)
        metadata = compact(
            {
                "title": self.titles(article, where),
                "contributor": contributors,
                "description": self.abstracts(article),
                "language": [article.get("language")] if article.get("language") else None,
                "authors": authors,
                **journal,
                "volume": issue.get("volume"),
                "issue": issue.get("issue"),
                "pages": self.pages(article),
                "published": published,
                "article_type": self.notice_type(article),
                "doi": doi,
                "url": self.landing_page(doi_data),
                "files": self.files(doi_data),
                **rights.keys(),
                "funding": self.funding(article),
            }
        )
        return Imported(where, metadata)

    def titles(self, article: etree._Element, where: str) -> list[Any]:
        titles = article.find(self.q("titles"))
        title = self.text(titles, "cr:title")
        if titles is None or title is None:
            fail(where, "the article has no title")
        found: list[Any] = [join_title(title, self.text(titles, "cr:subtitle"))]
        for original in titles.iterfind(self.q("original_language_title")):
            text = values.clean(text_of(original, inline=True))
            if text:
                found.append(text_value(text, original.get("language")))
        return found

    def contributors(
        self, contributors: etree._Element | None
    ) -> tuple[list[dict[str, Any]], list[str]]:
        if contributors is None:
            return [], []
        people = [child for child in contributors if isinstance(child.tag, str)]
        people.sort(key=lambda child: child.get("sequence") != "first")  # stable
        authors: list[dict[str, Any]] = []
        others: list[str] = []
        for child in people:
            role = child.get("contributor_role", "author")
            if child.tag == self.q("person_name"):
                found = self.person(child)
            elif child.tag == self.q("organization"):
                found = person(None, name=values.clean(text_of(child, inline=True)))
            else:  # anonymous
                continue
            if found is None:
                continue
            if role == "author":
                authors.append(found)
            elif role in CONTRIBUTOR_ROLES:
                others.append(inverted(found))
        return authors, others

    def person(self, element: etree._Element) -> dict[str, Any] | None:
        orcid_text = self.text(element, "cr:ORCID")
        orcid_element = element.find(self.q("ORCID"))
        orcid = (
            self.checked(orcid_element, values.orcid, orcid_text)
            if orcid_element is not None and orcid_text
            else None
        )
        return person(
            self.text(element, "cr:surname"),
            self.text(element, "cr:given_name"),
            orcid=orcid,
            affiliations=self.affiliations(element),
        )

    def affiliations(self, element: etree._Element) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for text in element.iterfind(self.q("affiliation")):  # 4.x
            name = values.clean(text_of(text, inline=True))
            if name:
                found.append({"name": name})
        for institution in element.iterfind(f"{self.q('affiliations')}/{self.q('institution')}"):
            parts = [
                self.text(institution, "cr:institution_department"),
                self.text(institution, "cr:institution_name"),
            ]
            if parts[1] is None:
                continue  # an id without a name: the model needs the name
            affiliation = {"name": ", ".join(part for part in parts if part)}
            for identifier in institution.iterfind(self.q("institution_id")):
                if identifier.get("type") == "ror" and identifier.text:
                    affiliation["ror"] = self.checked(identifier, values.ror, identifier.text)
                    break
            found.append(affiliation)
        return found

    def abstracts(self, article: etree._Element) -> list[Any]:
        found: list[Any] = []
        for abstract in article.iterfind(f"{{{JATS1}}}abstract"):
            if abstract.get("abstract-type") == "graphical":
                continue
            text = text_of(abstract, skip_heading=True)
            if text:
                found.append(text_value(text, abstract.get(XML_LANG)))
        return found

    def pages(self, article: etree._Element) -> str | None:
        pages = article.find(self.q("pages"))
        if pages is not None:
            return self.checked(
                pages,
                values.pages,
                self.text(pages, "cr:first_page"),
                self.text(pages, "cr:last_page"),
            )
        for number in article.iterfind(f"{self.q('publisher_item')}/{self.q('item_number')}"):
            if number.get("item_number_type") == "article_number" and number.text:
                return self.checked(number, values.page_range, number.text)
        return None

    def notice_type(self, article: etree._Element) -> str | None:
        for update in self.within(article, self.q("update")):
            kind = UPDATE_TYPES.get(update.get("type", ""))
            if kind:
                return kind
        return None

    def landing_page(self, doi_data: etree._Element) -> str | None:
        resource = doi_data.find(self.q("resource"))
        if resource is None or not resource.text:
            return None
        return self.checked(resource, values.uri, resource.text, "resource")

    def files(self, doi_data: etree._Element) -> list[dict[str, str]]:
        found: dict[str, str] = {}
        for collection in doi_data.iterfind(self.q("collection")):
            for resource in collection.iter(self.q("resource")):
                mime = values.mime(resource.get("mime_type"))
                version = resource.get("content_version")
                if mime is None or not resource.text or version not in (None, "vor"):
                    continue
                url = self.checked(resource, values.uri, resource.text, "resource")
                found.setdefault(url, mime)
        return [{"url": url, "mime": mime} for url, mime in found.items()]

    def within(self, article: etree._Element, tag: str) -> Iterator[etree._Element]:
        """``tag`` anywhere in the article but its component and citation lists."""
        for element in article.iter(tag):
            if not any(
                isinstance(parent.tag, str) and local_name(parent) in _NOT_READ
                for parent in element.iterancestors()
            ):
                yield element

    def date_attribute(self, element: etree._Element, name: str) -> str | None:
        value = element.get(name)
        return None if value is None else self.checked(element, values.iso_date, value)

    def rights(self, article: etree._Element, published: str | None) -> access.Rights:
        licences = []
        for ref in self.within(article, f"{{{AI}}}license_ref"):
            if ref.text and ref.text.strip():
                url = self.checked(ref, values.uri, ref.text, "license_ref")
                start = self.date_attribute(ref, "start_date")
                licences.append(access.Licence(url, start, ref.get("applies_to")))
        free = [
            access.FreeToRead(
                self.date_attribute(element, "start_date"), self.date_attribute(element, "end_date")
            )
            for element in self.within(article, f"{{{AI}}}free_to_read")
        ]
        return access.decide(licences, free, published, self.today)

    def funding(self, article: etree._Element) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for program in self.within(article, f"{{{FR}}}program"):
            groups = [
                group
                for group in program.iter(f"{{{FR}}}assertion")
                if group.get("name") == "fundgroup"
            ] or [program]
            for group in groups:
                found.extend(self.fundgroup(group))
        return found

    def fundgroup(self, group: etree._Element) -> list[dict[str, str]]:
        """Each funder of a group with each award of it (a group may be co-funded)."""
        funders: list[dict[str, str]] = []
        awards: list[str] = []
        loose_ids: list[str] = []
        for assertion in group.iter(f"{{{FR}}}assertion"):
            kind = assertion.get("name")
            if kind == "funder_name":
                name = values.clean(assertion.text)
                if not name:
                    fail(self.at(assertion), "funder_name is empty")
                funder = {"funder": name}
                for child in assertion.iterfind(f"{{{FR}}}assertion"):
                    if child.get("name") == "funder_identifier" and child.text:
                        funder["funder_id"] = self.checked(child, values.funder_id, child.text)
                funders.append(funder)
            elif kind == "award_number" and values.clean(assertion.text):
                awards.append(values.clean(assertion.text) or "")
            elif kind == "funder_identifier" and assertion.getparent() is group and assertion.text:
                loose_ids.append(self.checked(assertion, values.funder_id, assertion.text))
        if len(funders) == 1 and loose_ids and "funder_id" not in funders[0]:
            funders[0]["funder_id"] = loose_ids[0]
        return [
            {**funder, "award": award} if award else dict(funder)
            for funder in funders
            for award in (awards or [""])
        ]


def read(name: str, root: etree._Element, today: date) -> Iterator[Imported | Skipped]:
    """The articles of one deposit, in document order; SourceError names file and line."""
    return _Reader(name, root, today).items()
