"""Lay a record's metadata element out for a person: labelled fields, values and links.

A format with a table in :mod:`.fields` is laid out by it, so every format shows the
same labels (Title, Authors, DOI...); its XPaths are compiled once, here, so a typo in
a table fails at import, not on some page. Any other format is shown one row per leaf
element, labelled by its path: unreadable for a rich format, but nothing is hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .fields import TABLES, Entry, Part, Table

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Rows shown for metadata in a format the page has no table for.
GENERIC_ROWS = 60
DOI_RESOLVER = "https://doi.org/"
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_FORMS = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")
#: ISBD punctuation that ends a MARC value (" /", " :", ";", "=", ","), and trailing space.
_ISBD_END = re.compile(r"[\s/:;=,]+$")
#: A final period that belongs to the text: after an initial ("J. R.") or another period.
_KEPT_PERIOD = re.compile(r"(?:^|[\s.])\w\.$|\.\.$")


@dataclass(frozen=True, slots=True)
class Value:
    """One text value, with the language it declares (shown as ``lang`` on the page)."""

    text: str
    lang: str | None = None
    #: An identifier to follow, shown after the text: an author's ORCID, a ROR, a licence.
    href: str | None = None

    @property
    def is_link(self) -> bool:
        return self.text.startswith(("http://", "https://")) and " " not in self.text


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled group of values: one fact of a format's table, or one generic leaf path."""

    name: str
    label: str
    values: tuple[Value, ...]


def doi_url(text: str) -> str:
    """A DOI as the link people follow (``https://doi.org/10...``); other text unchanged."""
    bare = text.removeprefix("doi:")
    for form in _DOI_FORMS:
        if bare.lower().startswith(form):
            bare = bare[len(form) :]
    return DOI_RESOLVER + bare if _DOI.fullmatch(bare) else text


def _href(text: str) -> str | None:
    """Where an identifier links to: itself when it is a URL, a DOI's resolver link; else None."""
    url = doi_url(text)
    return url if Value(url).is_link else None


def unpunctuated(text: str) -> str:
    """MARC's ``Carberry, Josiah,`` as people write it; ``Smith, J. R.,`` keeps its last period."""
    text = _ISBD_END.sub("", text)
    if text.endswith(".") and not _KEPT_PERIOD.search(text):
        text = text[:-1]
    return text


def _texts(found: object) -> list[str]:
    """The non-blank texts of an XPath result (elements, attributes, strings), spaces collapsed."""
    out = []
    for item in found if isinstance(found, list) else [found]:
        if isinstance(item, etree._Element):
            text = "".join(map(str, item.itertext()))
        elif isinstance(item, str):
            text = item
        else:
            continue
        text = " ".join(text.split())
        if text:
            out.append(text)
    return out


def _lang(node: object, root: etree._Element) -> str | None:
    """The language a value's element (or an element around it, below the root) declares."""
    element = node if isinstance(node, etree._Element) else None
    while element is not None and element is not root:
        lang = element.get(XML_LANG)
        if lang:
            return str(lang)
        element = element.getparent()
    return None


@dataclass(frozen=True, slots=True)
class _Rule:
    """An :class:`Entry` with its XPaths compiled."""

    entry: Entry
    path: etree.XPath
    parts: tuple[tuple[etree.XPath, str], ...]
    link: etree.XPath | None

    def values(self, root: etree._Element) -> list[Value]:
        found = self.path(root)
        values = []
        for node in found if isinstance(found, list) else [found]:
            value = self._value(node, root)
            if value is not None:
                values.append(value)
        return values

    def _texts(self, node: object) -> list[str]:
        if not self.parts or not isinstance(node, etree._Element):
            pieces = [("", text) for text in _texts(node)]
        else:
            pieces = [(prefix, text) for path, prefix in self.parts for text in _texts(path(node))]
        if self.entry.isbd:
            pieces = [(prefix, unpunctuated(text)) for prefix, text in pieces]
        return [prefix + text for prefix, text in pieces if text]

    def _value(self, node: object, root: etree._Element) -> Value | None:
        text = self.entry.join.join(self._texts(node))
        if self.entry.doi:
            text = doi_url(text)
        href = None
        if self.link is not None and isinstance(node, etree._Element):
            href = next((h for h in map(_href, _texts(self.link(node))) if h), None)
        if not text and href:
            text, href = href, None
        if not text:
            return None
        return Value(text, _lang(node, root), None if href == text else href)


def _compile(table: Table) -> tuple[_Rule, ...]:
    def xpath(path: str) -> etree.XPath:
        return etree.XPath(path, namespaces=table.namespaces, smart_strings=False)

    rules = []
    for entry in table.entries:
        parts = [part if isinstance(part, Part) else Part(part) for part in entry.parts]
        rules.append(
            _Rule(
                entry,
                xpath(entry.path),
                tuple((xpath(part.path), part.prefix) for part in parts),
                xpath(entry.link) if entry.link else None,
            )
        )
    return tuple(rules)


_RULES: dict[str, tuple[_Rule, ...]] = {ns: _compile(table) for ns, table in TABLES.items()}


def _name(label: str) -> str:
    return label.lower().replace(" ", "-").replace(",", "")


def _tabled(root: etree._Element, rules: tuple[_Rule, ...]) -> tuple[Field, ...]:
    """The table's fields that have values; entries sharing a label make one field."""
    grouped: dict[str, list[Value]] = {}
    for rule in rules:
        values = grouped.setdefault(rule.entry.label, [])
        for value in rule.values(root):
            if value not in values:
                values.append(value)
    return tuple(Field(_name(label), label, tuple(vs)) for label, vs in grouped.items() if vs)


def _step(element: etree._Element) -> str:
    """A path step for a person: the local name plus its attribute values (MARC tags, codes)."""
    values = [str(value) for key, value in element.attrib.items() if not str(key).startswith("{")]
    return " ".join([str(etree.QName(element).localname), *values[:3]])


def _generic(root: etree._Element) -> tuple[Value | None, tuple[Field, ...]]:
    """Any other format: one row per leaf element that carries text, labelled by its path."""
    fields: list[Field] = []
    title: Value | None = None
    for leaf in root.iter():
        if not isinstance(leaf.tag, str) or len(leaf) or not (leaf.text or "").strip():
            continue
        path: list[str] = []
        for node in leaf.iterancestors():
            if node is root:
                break
            path.insert(0, _step(node))
        label = " › ".join([*path, _step(leaf)])
        value = Value((leaf.text or "").strip(), leaf.get(XML_LANG))
        if title is None and "title" in etree.QName(leaf).localname.lower():
            title = value
        if len(fields) < GENERIC_ROWS:
            fields.append(Field(etree.QName(leaf).localname, label, (value,)))
    return title, tuple(fields)


def lay_out(root: etree._Element) -> tuple[Value | None, tuple[Field, ...]]:
    """A metadata element's title and fields: by its format's table, else by leaf path."""
    rules = _RULES.get(etree.QName(root).namespace or "")
    if rules is None:
        return _generic(root)
    fields = _tabled(root, rules)
    title = next((field.values[0] for field in fields if field.name == "title"), None)
    return title, fields
