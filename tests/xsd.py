"""Strict XML parsing and XSD validation against the official schemas in ../shared/schemas.

The schemas are found through OAI_TEST_SCHEMAS (a folder) or at ../shared/schemas
beside the checkout; their catalog.xml maps public schema URLs to local files, so
nothing is fetched from the network. Tests that need them skip when they are absent.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI, "dc": "http://purl.org/dc/elements/1.1/"}
ROOT = Path(__file__).resolve().parent.parent


def schemas_dir() -> Path | None:
    configured = os.environ.get("OAI_TEST_SCHEMAS")
    candidates = [Path(configured)] if configured else []
    candidates.append(ROOT.parent / "shared" / "schemas")
    for path in candidates:
        if (path / "OAI-PMH.xsd").is_file():
            return path
    return None


class _CatalogResolver(etree.Resolver):
    """Maps schema URLs to the local copies named in catalog.xml."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.map: dict[str, str] = {}
        catalog = etree.parse(str(folder / "catalog.xml"))
        for entry in catalog.getroot():
            if not isinstance(entry.tag, str):
                continue
            key = entry.get("name") or entry.get("systemId")
            if key and entry.get("uri"):
                self.map[key] = str(folder / entry.get("uri"))

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        if url in self.map:
            return self.resolve_filename(self.map[url], context)
        return None


def strict_parser(folder: Path | None = None) -> etree.XMLParser:
    """No recovery, no entities, no network: what a careful harvester would use."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    if folder is not None:
        parser.resolvers.add(_CatalogResolver(folder))
    return parser


@cache
def schema(name: str) -> etree.XMLSchema:
    folder = schemas_dir()
    if folder is None:  # every test that validates skips, whether it asked for them or not
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    doc = etree.parse(str(folder / name), strict_parser(folder))
    return etree.XMLSchema(doc)


#: metadata element namespace -> schema file that validates it.
METADATA_SCHEMAS = {
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
    "http://www.loc.gov/MARC21/slim": "MARC21slim.xsd",
    "http://namespace.openaire.eu/schema/oaire/": "openaire-4.0/openaire.xsd",
    # JATS has no namespace: validated moved back to none (see ``unqualified``).
    "https://jats.nlm.nih.gov/ns/archiving/1.3/": "jats-1.3/JATS-journalpublishing1-3-mathml3.xsd",
    "http://schema.datacite.org/oai/oai-1.1/": "datacite/oai-1.1/oai.xsd",
    "http://www.loc.gov/mods/v3": "mods/mods-3-8.xsd",
}
#: metadata element namespace -> (path to an element inside it that its own schema must
#: validate, that schema): the oai_datacite wrapper's XSD leaves ``payload`` untyped.
EMBEDDED_SCHEMAS = {
    "http://schema.datacite.org/oai/oai-1.1/": (
        "{http://schema.datacite.org/oai/oai-1.1/}payload/{http://datacite.org/schema/kernel-4}resource",
        "datacite/kernel-4/metadata.xsd",
    ),
}
#: Namespaces a format borrows for a vocabulary that has none: ``unqualified`` undoes it.
BORROWED_NAMESPACES = frozenset({"https://jats.nlm.nih.gov/ns/archiving/1.3/"})
DESCRIPTION_SCHEMAS = {
    "http://www.openarchives.org/OAI/2.0/oai-identifier": "oai-identifier.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
}


def unqualified(element: etree._Element, namespace: str) -> etree._Element:
    """A copy of ``element`` with the elements in ``namespace`` moved to no namespace.

    Every other namespace (xlink, ALI, xml, xsi) and every attribute is left as it is;
    the declaration of ``namespace`` goes, so the copy reads as the vocabulary's own schema
    expects it (JATS, which INTERFACE.md qualifies only to travel in OAI-PMH).
    """
    copy = etree.fromstring(etree.tostring(element))
    prefix = "{" + namespace + "}"
    for node in copy.iter():
        if isinstance(node.tag, str) and node.tag.startswith(prefix):
            node.tag = node.tag[len(prefix) :]
    etree.cleanup_namespaces(copy)
    return etree.fromstring(etree.tostring(copy))


def _check(xsd: etree.XMLSchema, element: etree._Element, what: str) -> None:
    namespace = etree.QName(element).namespace or ""
    if namespace in BORROWED_NAMESPACES:
        element = unqualified(element, namespace)
    doc = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if not xsd.validate(doc):
        raise AssertionError(f"{what} is not schema-valid: {xsd.error_log}")


def check_metadata(element: etree._Element) -> None:
    """Validate a metadata element against its format's schema, and what it embeds
    against its own (the oai_datacite payload against kernel-4)."""
    namespace = etree.QName(element).namespace or ""
    name = METADATA_SCHEMAS.get(namespace)
    assert name is not None, f"no schema known for {element.tag}"
    _check(schema(name), element, f"metadata {element.tag}")
    if namespace in EMBEDDED_SCHEMAS:
        path, inner = EMBEDDED_SCHEMAS[namespace]
        embedded = element.find(path)
        assert embedded is not None, f"{element.tag} lacks {path}"
        _check(schema(inner), embedded, f"embedded {embedded.tag}")


def validate(body: bytes) -> etree._Element:
    """Parse an OAI-PMH response strictly and validate it and every embedded element."""
    root = etree.fromstring(body, strict_parser())
    _check(schema("OAI-PMH.xsd"), root, "response")
    for metadata in root.iterfind(".//oai:metadata", NS):
        for element in metadata:
            check_metadata(element)
    holders = root.xpath("//oai:description | //oai:setDescription", namespaces=NS)
    for holder in holders:
        for element in holder:
            name = DESCRIPTION_SCHEMAS.get(etree.QName(element).namespace or "")
            if name is not None:
                _check(schema(name), element, f"description {element.tag}")
    return root
