"""JATS article XML (JATS 1.0 to 1.4, and NLM 3.0 alike): the front matter as an article.

In no namespace, or in https://jats.nlm.nih.gov/ns/archiving/1.3/ (as INTERFACE.md's
``jats`` format writes it): that namespace is taken off first, so both read alike.
``body`` and ``back`` are not read. What is read:

- journal-meta: journal-title (the first of journal-title-group), issn by
  ``pub-type`` (ppub, epub) or ``publication-format`` (print; electronic or online),
  an ISSN that says neither is left out; publisher-name (Dublin Core publisher).
- article-meta: article-id ``doi`` (and ``publisher-id``, the record's own id when there
  is no DOI); the ``heading`` subj-group's subject (the section; other typed subj-groups
  and kwd-group keywords are Dublin Core subjects); article-title (+ subtitle,
  ``Title: Subtitle``), trans-title-group titles in their languages; contributors
  (``jats_people``); pub-date; volume, issue, fpage-lpage or elocation-id; permissions
  (``access``: license ``xlink:href`` or ``ali:license_ref``, with start_date;
  ``ali:free_to_read``; ``license-type="open-access"``); self-uri (without a
  content-type: the landing page; with a MIME type: a full text); abstract and
  trans-abstract in their languages; funding-group award-groups (funding-source name,
  institution-id ``doi``/``fundref``/``ror`` or named-content ``funder-id``, award-id,
  award-name); product (the work a review reviews: source, authors, publisher-name,
  year, isbn); article-version (JAV: VoR, CVoR, EVoR published; AM accepted; AO,
  SMUR submitted).
- article: ``@article-type`` (the model's words are JATS's; any other word is ``other``),
  ``@xml:lang`` (Dublin Core language). Languages of titles, abstracts and keywords are
  their nearest ``xml:lang``. JATS's schema gives ``article/@xml:lang`` a default of
  ``en``; a file that does not say its language has not said it, so none is recorded.

Publication date precedence (pub-type in JATS 1.0, date-type with publication-format
later): the electronic publication (``epub``, ``date-type="pub"`` electronic or online),
then ``epub-ppub``, then the print one (``ppub``, ``pub`` print), then a pub-date that
says no type, then the issue's (``collection``): the first date the article was public.
Other dates (received, accepted, pmc-release, corrected) are not publication dates.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import date
from pathlib import PurePath
from typing import Any, TypeVar

from lxml import etree

from ..article import checks
from ..article.parse import ARTICLE_TYPES
from . import access, values
from .errors import fail
from .flatten import text_of
from .jats_people import contributors, reviewed_authors
from .records import Imported, compact, join_title, text_value

_T = TypeVar("_T")

NAMESPACE = "https://jats.nlm.nih.gov/ns/archiving/1.3/"
XLINK = "{http://www.w3.org/1999/xlink}href"
ALI = "http://www.niso.org/schemas/ali/1.0/"
ALI_OLD = "http://www.niso.org/schemas/ali/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: JATS Article Version (JAV) words -> the model's version.
VERSIONS = {
    "vor": "published",
    "cvor": "published",
    "evor": "published",
    "am": "accepted",
    "ao": "submitted",
    "smur": "submitted",
}
#: issn/@publication-format (or the older @pub-type) -> the article key.
_ISSN_KEYS = {
    "print": "issn",
    "ppub": "issn",
    "electronic": "eissn",
    "online": "eissn",
    "epub": "eissn",
}
#: (pub-type or date-type, publication-format) -> rank; lower is preferred.
_DATE_RANKS = {
    ("epub", None): 0,
    ("pub", "electronic"): 0,
    ("pub", "online"): 0,
    ("epub-ppub", None): 1,
    ("ppub", None): 2,
    ("pub", "print"): 2,
    ("pub", None): 3,
    (None, None): 3,
    ("collection", None): 4,
    ("collection", "electronic"): 4,
    ("collection", "print"): 4,
}


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else values.clean(text_of(element, inline=True))


def _lang(element: etree._Element) -> str | None:
    """The element's language: its own xml:lang or its nearest ancestor's (XML's rule)."""
    for holder in (element, *element.iterancestors()):
        if holder.get(XML_LANG) is not None:
            return holder.get(XML_LANG) or None
    return None


def without_namespace(root: etree._Element) -> etree._Element:
    """The tree with INTERFACE.md's JATS namespace taken off its elements (in place)."""
    prefix = f"{{{NAMESPACE}}}"
    if not (isinstance(root.tag, str) and root.tag.startswith(prefix)):
        return root
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix) :]
    etree.cleanup_namespaces(root)
    return root


class _Reader:
    def __init__(self, name: str, root: etree._Element, today: date) -> None:
        self.name = name
        self.today = today
        self.root = root

    def at(self, element: etree._Element) -> str:
        return f"{self.name}:{element.sourceline}"

    def checked(self, element: etree._Element, convert: Callable[..., _T], *args: Any) -> _T:
        try:
            return convert(*args)
        except ValueError as exc:
            fail(self.at(element), str(exc))

    def article(self, stem: str | None) -> Imported:
        root = self.root
        if root.tag != "article":
            fail(self.at(root), f"not a JATS article: the root is <{etree.QName(root).localname}>")
        meta = root.find("front/article-meta")
        if meta is None:
            fail(self.at(root), "the article has no front/article-meta")
        journal_meta = root.find("front/journal-meta")
        ids = {
            element.get("pub-id-type"): element
            for element in reversed(meta.findall("article-id"))
            if element.text and element.text.strip()
        }
        doi = self.checked(ids["doi"], values.doi, ids["doi"].text) if "doi" in ids else None
        local_id = values.clean(ids["publisher-id"].text) if "publisher-id" in ids else stem
        where = f"{self.at(meta)}: {doi or local_id}" if doi or local_id else self.at(meta)
        published = self.published(meta)
        authors, others = contributors(self.name, meta)
        keywords, section = self.subjects(meta)
        rights = self.rights(meta, published)
        url, files = self.self_uris(meta)
        metadata = compact(
            {
                "title": self.titles(meta, where),
                "contributor": others,
                "subject": keywords,
                "description": self.abstracts(meta),
                "publisher": self.publisher(journal_meta),
                "language": [root.get(XML_LANG)] if root.get(XML_LANG) else None,
                "authors": authors,
                **self.journal(journal_meta),
                "volume": _text(meta.find("volume")),
                "issue": _text(meta.find("issue")),
                "pages": self.pages(meta),
                "section": section,
                "published": published,
                "article_type": self.article_type(root),
                "version": self.version(meta),
                "doi": doi,
                "url": url,
                "files": files,
                **rights.keys(),
                "funding": self.funding(meta),
                "reviewed": self.reviewed(meta),
            }
        )
        return Imported(where, metadata, local_id)

    def journal(self, journal_meta: etree._Element | None) -> dict[str, Any]:
        if journal_meta is None:
            return {}
        title = journal_meta.find("journal-title-group/journal-title")
        if title is None:
            title = journal_meta.find("journal-title")
        found: dict[str, Any] = {"journal": _text(title)}
        for issn in journal_meta.iterfind("issn"):
            key = _ISSN_KEYS.get(issn.get("publication-format") or issn.get("pub-type") or "")
            if key and key not in found and issn.text and issn.text.strip():
                found[key] = self.checked(issn, values.issn, issn.text)
        return found

    def publisher(self, journal_meta: etree._Element | None) -> list[str]:
        if journal_meta is None:
            return []
        name = _text(journal_meta.find("publisher/publisher-name"))
        return [name] if name else []

    def titles(self, meta: etree._Element, where: str) -> list[Any]:
        group = meta.find("title-group")
        title = _text(None if group is None else group.find("article-title"))
        if group is None or title is None:
            fail(where, "the article has no article-title")
        main = group.find("article-title")
        assert main is not None
        found: list[Any] = [
            text_value(join_title(title, _text(group.find("subtitle"))), _lang(main))
        ]
        for trans in group.iter("trans-title-group"):
            trans_title = trans.find("trans-title")
            text = _text(trans_title)
            if trans_title is not None and text:
                full = join_title(text, _text(trans.find("trans-subtitle")))
                found.append(text_value(full, _lang(trans_title)))
        return found

    def subjects(self, meta: etree._Element) -> tuple[list[Any], str | None]:
        section = None
        keywords: list[Any] = []
        for group in meta.iterfind("article-categories//subj-group"):
            kind = group.get("subj-group-type")
            for subject in group.iterfind("subject"):
                text = _text(subject)
                if not text or kind is None:
                    continue
                if kind == "heading":
                    section = section or text
                else:
                    keywords.append(text_value(text, _lang(subject)))
        for group in meta.iterfind("kwd-group"):
            for kwd in group.iter("kwd", "compound-kwd"):
                text = _text(kwd)
                if text:
                    keywords.append(text_value(text, _lang(kwd)))
        return keywords, section

    def abstracts(self, meta: etree._Element) -> list[Any]:
        found: list[Any] = []
        for abstract in meta.iterfind("*"):
            if abstract.tag not in ("abstract", "trans-abstract"):
                continue
            if abstract.get("abstract-type") == "graphical":
                continue
            text = text_of(abstract, skip_heading=True)
            if text:
                found.append(text_value(text, _lang(abstract)))
        return found

    def published(self, meta: etree._Element) -> str | None:
        best: tuple[int, etree._Element] | None = None
        for element in meta.iterfind("pub-date"):
            key = (
                element.get("pub-type") or element.get("date-type"),
                element.get("publication-format") if element.get("date-type") else None,
            )
            rank = _DATE_RANKS.get(key)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, element)
        if best is None:
            return None
        element = best[1]
        year = _text(element.find("year"))
        if year is None and element.get("iso-8601-date"):
            return self.checked(element, values.iso_date, element.get("iso-8601-date", ""))
        return self.checked(
            element,
            values.partial_date,
            year,
            _text(element.find("month")),
            _text(element.find("day")),
        )

    def pages(self, meta: etree._Element) -> str | None:
        first = meta.find("fpage")
        if first is not None:
            return self.checked(first, values.pages, _text(first), _text(meta.find("lpage")))
        location = meta.find("elocation-id")
        if location is not None and _text(location):
            return self.checked(location, values.page_range, _text(location))
        return None

    def article_type(self, root: etree._Element) -> str | None:
        kind = root.get("article-type")
        if not kind:
            return None
        return kind if kind in ARTICLE_TYPES else "other"

    def version(self, meta: etree._Element) -> str | None:
        for element in meta.iter("article-version"):
            word = (element.get("article-version-type") or element.text or "").strip().lower()
            if word in VERSIONS:
                return VERSIONS[word]
        return None

    def self_uris(self, meta: etree._Element) -> tuple[str | None, list[dict[str, str]]]:
        landing = None
        files: dict[str, str] = {}
        for element in meta.iterfind("self-uri"):
            href = element.get(XLINK)
            if href is None:  # older files put the URI in the text, newer ones link text there
                text = (element.text or "").strip()
                href = text if "://" in text and " " not in text else None
            if not href:
                continue
            url = self.checked(element, values.uri, href, "self-uri")
            kind = element.get("content-type")
            if kind is None:
                landing = landing or url
            elif (mime := values.mime(kind)) is not None:
                files.setdefault(url, mime)
        return landing, [{"url": url, "mime": mime} for url, mime in files.items()]

    def rights(self, meta: etree._Element, published: str | None) -> access.Rights:
        licences = []
        free = []
        stated_open = False
        permissions = meta.find("permissions")
        if permissions is None:
            return access.Rights()
        for licence in permissions.iterfind("license"):
            ref = next(self._ali(licence, "license_ref"), None)
            href = licence.get(XLINK) or (
                ref.text.strip() if ref is not None and ref.text else None
            )
            stated_open = stated_open or licence.get("license-type") in ("open-access", "open")
            if href:
                url = self.checked(licence, values.uri, href, "license")
                start = ref.get("start_date") if ref is not None else None
                when = self.checked(licence, values.iso_date, start) if start else None
                licences.append(access.Licence(url, when))
        for statement in self._ali(permissions, "free_to_read"):
            start, end = statement.get("start_date"), statement.get("end_date")
            free.append(
                access.FreeToRead(
                    self.checked(statement, values.iso_date, start) if start else None,
                    self.checked(statement, values.iso_date, end) if end else None,
                )
            )
        return access.decide(licences, free, published, self.today, stated_open)

    def _ali(self, parent: etree._Element, name: str) -> Any:
        for namespace in (ALI, ALI_OLD):
            yield from parent.iter(f"{{{namespace}}}{name}")

    def funding(self, meta: etree._Element) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for group in meta.iter("award-group"):
            awards = [text for element in group.iterfind("award-id") if (text := _text(element))]
            title = _text(group.find("award-name"))
            for source in group.iterfind("funding-source"):
                funder = self.funder(source)
                if funder is None:
                    continue
                if title:
                    funder["award_title"] = title
                found.extend({**funder, "award": award} for award in awards)
                if not awards:
                    found.append(funder)
        return found

    def funder(self, source: etree._Element) -> dict[str, str] | None:
        ids = [
            element
            for element in source.iter("institution-id")
            if (element.get("institution-id-type") or "").lower()
            in ("doi", "fundref", "open-funder-registry", "crossref-funder-id", "ror")
        ] + [
            element
            for element in source.iter("named-content")
            if element.get("content-type") == "funder-id"
        ]
        institutions = [text for element in source.iter("institution") if (text := _text(element))]
        if institutions:
            name: str | None = ", ".join(institutions)
        else:
            copy = deepcopy(source)
            for element in copy.iter("named-content"):
                if element.get("content-type") == "funder-id":
                    element.text = ""
            name = _text(copy)
        if not name:
            return None
        funder = {"funder": name}
        href = source.get(XLINK)
        identifier = ids[0] if ids else None
        if identifier is not None and identifier.text:
            funder["funder_id"] = self.checked(identifier, values.funder_id, identifier.text)
        elif href:
            funder["funder_id"] = self.checked(source, values.funder_id, href)
        return funder

    def reviewed(self, meta: etree._Element) -> dict[str, Any] | None:
        product = meta.find("product")
        if product is None:
            return None
        title = _text(product.find("source")) or _text(product.find("article-title"))
        if title is None:
            return None
        found: dict[str, Any] = {"title": title, "authors": reviewed_authors(product)}
        found["publisher"] = _text(product.find("publisher-name"))
        for key, check in (("year", checks.year), ("isbn", checks.isbn)):
            element = product.find(key)
            value = _text(element)
            if element is not None and value:
                reason = check(value)
                if reason is not None:
                    fail(self.at(element), f"{key} {value!r} {reason}")
                found[key] = value.replace("-", "").replace(" ", "") if key == "isbn" else value
        return compact(found)


def read(name: str, root: etree._Element, today: date) -> Imported:
    """The article a JATS file holds; SourceError names file and line."""
    # Standard input has no file name to stand for a missing publisher-id.
    stem = None if name == "<stdin>" else PurePath(name).name.removesuffix(".xml") or name
    return _Reader(name, without_namespace(root), today).article(stem)
