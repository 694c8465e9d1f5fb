"""Which schema judges which element: the envelope, each metadata format, each description.

A metadata element is matched by its namespace: the formats journal aggregators ask for
are known here, with their two quirks (JATS is served in a namespace its schema does not
have, so it is moved back to no namespace first; the oai_datacite wrapper leaves its
payload unchecked, so each payload element is validated against its own schema too).
Any other format is judged by the schema ListMetadataFormats advertises for it, then
by the element's own xsi:schemaLocation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from .document import OAI, OAI_SCHEMA
from .schemas import Source, Unavailable, compile_schema, first_error, schema_locations

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAIRE = "http://namespace.openaire.eu/schema/oaire/"
DATACITE_OAI = "http://schema.datacite.org/oai/oai-1.1/"
JATS_PUBLISHING = (
    "https://jats.nlm.nih.gov/publishing/1.3/xsd/JATS-journalpublishing1-3-mathml3.xsd"
)


@dataclass(frozen=True, slots=True)
class Rule:
    """How elements of one namespace are validated."""

    schema: str
    #: Move the element out of its namespace first (JATS has none of its own).
    strip_namespace: bool = False
    #: Also validate each child of ``payload`` by its own namespace (oai_datacite).
    payload: bool = False


RULES: dict[str, Rule] = {
    OAI: Rule(OAI_SCHEMA),
    OAI_DC: Rule("http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
    OAIRE: Rule("https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"),
    "http://www.loc.gov/MARC21/slim": Rule(
        "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
    ),
    DATACITE_OAI: Rule("http://schema.datacite.org/oai/oai-1.1/oai.xsd", payload=True),
    "http://datacite.org/schema/kernel-4": Rule(
        "http://schema.datacite.org/meta/kernel-4/metadata.xsd"
    ),
    "http://datacite.org/schema/kernel-3": Rule(
        "http://schema.datacite.org/meta/kernel-3/metadata.xsd"
    ),
    "https://jats.nlm.nih.gov/ns/archiving/1.3/": Rule(JATS_PUBLISHING, strip_namespace=True),
    "http://jats.nlm.nih.gov/ns/archiving/1.3/": Rule(JATS_PUBLISHING, strip_namespace=True),
    "http://www.loc.gov/mods/v3": Rule("http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"),
    # Identify descriptions and about containers defined with the protocol.
    "http://www.openarchives.org/OAI/2.0/oai-identifier": Rule(
        "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
    ),
    "http://www.openarchives.org/OAI/2.0/provenance": Rule(
        "http://www.openarchives.org/OAI/2.0/provenance.xsd"
    ),
    "http://www.openarchives.org/OAI/2.0/friends/": Rule(
        "http://www.openarchives.org/OAI/2.0/friends.xsd"
    ),
    "http://www.openarchives.org/OAI/2.0/branding/": Rule(
        "http://www.openarchives.org/OAI/2.0/branding.xsd"
    ),
    "http://www.openarchives.org/OAI/2.0/rights/": Rule(
        "http://www.openarchives.org/OAI/2.0/rights.xsd"
    ),
    "http://www.openarchives.org/OAI/1.1/eprints": Rule(
        "http://www.openarchives.org/OAI/1.1/eprints.xsd"
    ),
}


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def rule_for(element: etree._Element, advertised: Mapping[str, str]) -> Rule | None:
    """The rule for ``element``: known namespaces, then the advertised schema, then its own."""
    ns = namespace(element)
    if ns in RULES:
        return RULES[ns]
    url = advertised.get(ns) or schema_locations(element).get(ns)
    return Rule(url) if url else None


def _without_namespace(element: etree._Element, ns: str) -> etree._Element:
    moved = copy.deepcopy(element)
    for node in moved.iter():
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{ns}}}"):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(moved)
    return moved


@dataclass(frozen=True, slots=True)
class Verdict:
    """One element judged: what it was, the schema URL, and the first error (None: valid)."""

    what: str
    schema: str
    error: str | None


class Validator:
    """Validates elements against the schemas a Source finds, compiling each once."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def schema(self, url: str) -> etree.XMLSchema:
        """Raises Unavailable when the schema or one of its imports cannot be found."""
        return compile_schema(self.source, url)

    def response(self, root: etree._Element) -> str | None:
        """The first error of a whole response against OAI-PMH.xsd; None when valid."""
        return first_error(self.schema(OAI_SCHEMA), root)

    def judge(
        self, element: etree._Element, advertised: Mapping[str, str] | None = None
    ) -> Iterator[Verdict]:
        """A verdict for ``element`` and, for oai_datacite, for each payload element.

        Raises Unavailable when no schema is known for it or one cannot be found; a payload
        whose schema is missing raises after the wrapper's verdict.
        """
        advertised = advertised or {}
        rule = rule_for(element, advertised)
        tag = etree.QName(element).localname
        if rule is None:
            raise Unavailable(f"no schema is known for namespace {namespace(element)!r}")
        subject = copy.deepcopy(element)
        if rule.strip_namespace:
            subject = _without_namespace(subject, namespace(element))
        yield Verdict(tag, rule.schema, first_error(self.schema(rule.schema), subject))
        if rule.payload:
            for holder in element.iter(f"{{{namespace(element)}}}payload"):
                for child in holder:
                    if isinstance(child.tag, str):
                        yield from (
                            Verdict(f"{tag} payload {v.what}", v.schema, v.error)
                            for v in self.judge(child, advertised)
                        )
