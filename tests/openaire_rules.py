"""The OpenAIRE Literature Guidelines v4 obligations its XSD does not check, as a checker.

openaire.xsd wraps every element in one unbounded choice, so a record without a
title, a date or an identifier validates. The guidelines' application profile
(docs/application_profile.rst and the field pages of
openaire/guidelines-literature-repositories) says what must be there:

- Mandatory (M), present and not empty: Title; Publication Date (``datacite:date``
  ``dateType="Issued"``, W3CDTF, once); Resource Type (``oaire:resourceType`` once,
  ``resourceTypeGeneral`` and a COAR ``uri``); Resource Identifier
  (``datacite:identifier`` once, with an ``identifierType``); Access Rights
  (``datacite:rights`` once, a COAR access right ``rightsURI`` with its label).
- Mandatory if applicable (MA): present whenever the record holds the fact: Creator,
  Contributor, Funding Reference (funderName; awardNumber when the award is known),
  Embargo Period Date (``Accepted`` and ``Available`` when the access right is
  embargoed), Language, Publisher, Description, Subject, File Location.
- The attributes the field pages make mandatory: a licenseCondition's ``uri`` and a
  version's ``uri`` (MA), each from its vocabulary where the guidelines name one.

The vocabularies are read from the official XSDs (the COAR enumerations in
../shared/schemas/openaire-4.0), the access-right labels are stated here from the
Access Rights field page: none comes from the code under test. :func:`violations`
returns ``(rule, detail)`` pairs, so tests assert on the rule broken.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from lxml import etree

from oai.article import Article

from . import xsd

NS = {
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XS = "{http://www.w3.org/2001/XMLSchema}"

#: The Access Rights field page's table: concept URI -> label.
ACCESS_LABELS = {
    "http://purl.org/coar/access_right/c_abf2": "open access",
    "http://purl.org/coar/access_right/c_f1cf": "embargoed access",
    "http://purl.org/coar/access_right/c_16ec": "restricted access",
    "http://purl.org/coar/access_right/c_14cb": "metadata only access",
}
EMBARGOED = "http://purl.org/coar/access_right/c_f1cf"
RESOURCE_TYPE_GENERAL = {"literature", "dataset", "software", "other research product"}
#: The identifier types of vocabularies/identifiertype.rst (the XSD spells Handle HANDLE).
IDENTIFIER_TYPES = {"ARK", "DOI", "Handle", "HANDLE", "IGSN", "PURL", "URL", "URN"}
W3CDTF = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

Violation = tuple[str, str]


@cache
def vocabulary(name: str) -> frozenset[str]:
    """The enumerated values of an OpenAIRE 4.0 XSD (``oaire-resourceType-v4.xsd`` ...)."""
    folder = xsd.schemas_dir()
    if folder is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    tree = etree.parse(str(folder / "openaire-4.0" / name))
    return frozenset(node.get("value") for node in tree.iter(f"{XS}enumeration"))


def _texts(resource: etree._Element, path: str) -> list[str]:
    return [(node.text or "").strip() for node in resource.xpath(path, namespaces=NS)]


def _one(resource: etree._Element, path: str, rule: str) -> list[Violation]:
    nodes = resource.xpath(path, namespaces=NS)
    if len(nodes) != 1:
        return [(rule, f"{len(nodes)} of {path}, want exactly 1")]
    if not (nodes[0].text or "").strip():
        return [(rule, f"{path} is empty")]
    return []


def mandatory(resource: etree._Element) -> list[Violation]:
    out: list[Violation] = []
    if not any(_texts(resource, "datacite:titles/datacite:title")):
        out.append(("title", "no non-empty datacite:title"))
    out += _one(resource, "datacite:dates/datacite:date[@dateType='Issued']", "issued")
    for value in _texts(resource, "datacite:dates/datacite:date[@dateType='Issued']"):
        if not W3CDTF.fullmatch(value):
            out.append(("issued", f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD"))
    out += _one(resource, "oaire:resourceType", "resource-type")
    for node in resource.xpath("oaire:resourceType", namespaces=NS):
        if node.get("resourceTypeGeneral") not in RESOURCE_TYPE_GENERAL:
            out.append(("resource-type", f"resourceTypeGeneral {node.get('resourceTypeGeneral')}"))
        if node.get("uri") not in vocabulary("oaire-resourceType-v4.xsd"):
            out.append(("resource-type", f"uri {node.get('uri')} is not a COAR resource type"))
    out += _one(resource, "datacite:identifier", "identifier")
    for node in resource.xpath("datacite:identifier", namespaces=NS):
        if node.get("identifierType") not in IDENTIFIER_TYPES:
            out.append(("identifier", f"identifierType {node.get('identifierType')}"))
    out += _one(resource, "datacite:rights", "access-rights")
    for node in resource.xpath("datacite:rights", namespaces=NS):
        label = ACCESS_LABELS.get(node.get("rightsURI") or "")
        if label is None:
            out.append(("access-rights", f"rightsURI {node.get('rightsURI')} is not COAR's"))
        elif (node.text or "").strip() != label:
            out.append(("access-rights", f"label {node.text!r} for {node.get('rightsURI')}"))
    return out


def _present(resource: etree._Element, path: str, rule: str, applies: bool) -> list[Violation]:
    if applies and not any(_texts(resource, path)):
        return [(rule, f"the record has it, but {path} is missing")]
    return []


def if_applicable(resource: etree._Element, article: Article) -> list[Violation]:
    out: list[Violation] = []
    named = [person for person in article.authors if person.inverted.strip()]
    names = _texts(resource, "datacite:creators/datacite:creator/datacite:creatorName")
    if len(names) != len(named) or not all(names):
        out.append(("creator", f"{len(named)} authors, {len(names)} named creators"))
    contributors = [text for text in article.dc.get("contributor", ()) if text.value.strip()]
    out += _present(
        resource,
        "datacite:contributors/datacite:contributor/datacite:contributorName",
        "contributor",
        bool(contributors),
    )
    references = resource.xpath("oaire:fundingReferences/oaire:fundingReference", namespaces=NS)
    if len(references) != len(article.funding):
        out.append(("funding", f"{len(article.funding)} fundings, {len(references)} references"))
    for funding, reference in zip(article.funding, references, strict=False):
        if not _texts(reference, "oaire:funderName") or not all(
            _texts(reference, "oaire:funderName")
        ):
            out.append(("funding", "a fundingReference without funderName"))
        if funding.award and not any(_texts(reference, "oaire:awardNumber")):
            out.append(("funding", f"award {funding.award} has no awardNumber"))
    embargoed = resource.xpath(f"datacite:rights[@rightsURI='{EMBARGOED}']", namespaces=NS)
    for date_type in ("Accepted", "Available"):
        path = f"datacite:dates/datacite:date[@dateType='{date_type}']"
        out += _present(resource, path, "embargo", bool(embargoed))
    out += _present(resource, "dc:language", "language", bool(article.languages))
    out += _present(resource, "dc:publisher", "publisher", article.publisher is not None)
    out += _present(resource, "dc:description", "description", bool(article.abstracts))
    out += _present(
        resource, "datacite:subjects/datacite:subject", "subject", bool(article.keywords)
    )
    files = _texts(resource, "oaire:file")
    if sorted(files) != sorted(file.url for file in article.files):
        out.append(("file", f"{len(article.files)} files, oaire:file {files}"))
    return out


def attributes(resource: etree._Element) -> list[Violation]:
    out: list[Violation] = []
    for node in resource.xpath("oaire:licenseCondition", namespaces=NS):
        if not node.get("uri"):
            out.append(("licence", "licenseCondition without uri"))
    for node in resource.xpath("oaire:version[@uri]", namespaces=NS):
        if node.get("uri") not in vocabulary("oaire-versions-v4.xsd"):
            out.append(("version", f"uri {node.get('uri')} is not a COAR version type"))
    for node in resource.xpath("oaire:file[@accessRightsURI]", namespaces=NS):
        if node.get("accessRightsURI") not in ACCESS_LABELS:
            out.append(("file", f"accessRightsURI {node.get('accessRightsURI')}"))
    return out


def violations(resource: etree._Element, article: Article) -> list[Violation]:
    """Every obligation ``resource`` (an ``oaire:resource``) breaks, for the record ``article``."""
    return mandatory(resource) + if_applicable(resource, article) + attributes(resource)
