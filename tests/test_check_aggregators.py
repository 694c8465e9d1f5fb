"""The aggregators' content rules of oai.check.aggregators, one row per missing field."""

from __future__ import annotations

import pytest
from lxml import etree

from oai.check.aggregators import driver_missing, openaire_missing

DC = "http://purl.org/dc/elements/1.1/"
FULL_DC = {
    "title": "A title",
    "creator": "Doe, Jane",
    "date": "2024",
    "type": "info:eu-repo/semantics/article",
    "identifier": "https://example.org/a/1",
}


def dc(**fields: str) -> etree._Element:
    root = etree.Element("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc", nsmap={"dc": DC})
    for name, value in fields.items():
        etree.SubElement(root, f"{{{DC}}}{name}").text = value
    return root


def test_a_full_record_lacks_nothing() -> None:
    assert driver_missing(dc(**FULL_DC)) == []


@pytest.mark.parametrize("missing", sorted(FULL_DC))
def test_each_driver_mandatory_element(missing: str) -> None:
    fields = {k: v for k, v in FULL_DC.items() if k != missing}
    assert driver_missing(dc(**fields)) == [missing]
    assert driver_missing(dc(**fields, **{missing: "  "})) == [missing]  # empty is missing


RESOURCE = """<oaire:resource xmlns:oaire="http://namespace.openaire.eu/schema/oaire/"
  xmlns:datacite="http://datacite.org/schema/kernel-4">
  <datacite:titles><datacite:title>A title</datacite:title></datacite:titles>
  <datacite:dates><datacite:date dateType="{date_type}">2024</datacite:date></datacite:dates>
  <oaire:resourceType resourceTypeGeneral="literature"
    uri="http://purl.org/coar/resource_type/c_6501">journal article</oaire:resourceType>
  <datacite:identifier identifierType="DOI">10.5555/1</datacite:identifier>
  <datacite:rights rightsURI="{rights}">open access</datacite:rights>
</oaire:resource>"""
OPEN = "http://purl.org/coar/access_right/c_abf2"


def resource(date_type: str = "Issued", rights: str = OPEN, drop: str = "") -> etree._Element:
    root = etree.fromstring(RESOURCE.format(date_type=date_type, rights=rights))
    for element in list(root.iter()):
        if drop and isinstance(element.tag, str) and element.tag.endswith("}" + drop):
            parent = element.getparent()
            assert parent is not None
            parent.remove(element)
    return root


@pytest.mark.parametrize(
    ("element", "field"),
    [
        (resource(drop="title"), "title"),
        (resource(date_type="Available"), "publication date"),
        (resource(drop="resourceType"), "resource type"),
        (resource(drop="identifier"), "resource identifier"),
        (resource(drop="rights"), "access rights"),
        (resource(rights="https://creativecommons.org/licenses/by/4.0/"), "access rights"),
    ],
    ids=["title", "no Issued date", "type", "identifier", "rights", "rights not COAR"],
)
def test_each_openaire_mandatory_field(element: etree._Element, field: str) -> None:
    (missing,) = openaire_missing(element)
    assert missing.startswith(field)


def test_a_complete_openaire_resource_lacks_nothing() -> None:
    assert openaire_missing(resource()) == []
