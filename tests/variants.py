"""Other correct repositories than the plain one: without sets, and with more formats.

:class:`WithoutSets` makes the endpoint a repository that has no sets (noSetHierarchy
wherever sets are asked, no setSpec in headers); :data:`PART` is a second format only
the records of one set have; :data:`OPENAIRE` serves each record as an OpenAIRE
Literature v4 resource with its mandatory fields. The checker must find nothing wrong
with any of them; ``tests/test_check_defects.py`` then breaks them.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from .brokenoai import DC, OAI_DC, Alias, Call, Defect, Endpoint, Reply, q, set_echo

OAIRE = "http://namespace.openaire.eu/schema/oaire/"
DATACITE = "http://datacite.org/schema/kernel-4"


def error_reply(ep: Endpoint, call: Call, code: str) -> Reply:
    """A correct envelope carrying one error ``code`` for ``call``."""

    def change(root: etree._Element) -> None:
        body = root.find(q("Identify"))
        assert body is not None
        error = etree.Element(q("error"), code=code)
        error.text = f"{code} (made up by the test)"
        root.replace(body, error)
        set_echo(root, call)

    return ep.forward(Call("GET", (("verb", "Identify"),))).edit(change)


# --- a repository without sets ------------------------------------------------------------


class WithoutSets(Defect):
    """Correct for a repository that has no sets: noSetHierarchy wherever sets are asked."""

    code = "noSetHierarchy"

    def call(self, ep: Endpoint, call: Call) -> Call | Reply:
        if call.verb == "ListSets" and call.arg("resumptionToken") is None and len(call.pairs) == 1:
            return error_reply(ep, call, "noSetHierarchy")
        return call

    def reply(self, ep: Endpoint, call: Call, reply: Reply) -> Reply:
        if (
            call.arg("set")
            and call.arg("metadataPrefix")
            and reply.errors in ([], ["noRecordsMatch"])
        ):
            return error_reply(ep, call, self.code)

        def strip(root: etree._Element) -> None:
            for spec in list(root.iter(q("setSpec"))):
                parent = spec.getparent()
                if parent is not None and parent.tag == q("header"):
                    parent.remove(spec)

        return reply.edit(strip) if reply.body.lstrip().startswith(b"<") else reply


class SetsAnswerNoRecords(WithoutSets):
    check = "errors.noSetHierarchy"
    code = "noRecordsMatch"


# --- formats made from oai_dc ----------------------------------------------------------------


def openaire(complete: bool) -> Callable[[etree._Element, str], etree._Element]:
    """An oaire:resource from an oai_dc record; without access rights unless ``complete``."""

    def transform(dc: etree._Element, identifier: str) -> etree._Element:
        nsmap = {"oaire": OAIRE, "datacite": DATACITE, "dc": DC}
        resource = etree.Element(f"{{{OAIRE}}}resource", nsmap=nsmap)
        titles = etree.SubElement(resource, f"{{{DATACITE}}}titles")
        etree.SubElement(titles, f"{{{DATACITE}}}title").text = dc.findtext(f"{{{DC}}}title")
        ident = etree.SubElement(resource, f"{{{DATACITE}}}identifier", identifierType="URL")
        ident.text = "https://example.org/" + identifier.rsplit(":", 1)[-1]
        dates = etree.SubElement(resource, f"{{{DATACITE}}}dates")
        etree.SubElement(dates, f"{{{DATACITE}}}date", dateType="Issued").text = "2024"
        kind = etree.SubElement(
            resource,
            f"{{{OAIRE}}}resourceType",
            resourceTypeGeneral="literature",
            uri="http://purl.org/coar/resource_type/c_6501",
        )
        kind.text = "journal article"
        if complete:
            rights = etree.SubElement(
                resource,
                f"{{{DATACITE}}}rights",
                rightsURI="http://purl.org/coar/access_right/c_abf2",
            )
            rights.text = "open access"
        return resource

    return transform


PART = Alias("oai_dc_part", OAI_DC, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "journal:one")
OPENAIRE = Alias(
    "oai_openaire",
    OAIRE,
    "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
    transform=openaire(True),
)
OPENAIRE_LACKING = Alias(
    "oai_openaire",
    OAIRE,
    "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd",
    transform=openaire(False),
)
