"""What the aggregators that harvest journals ask beyond the protocol.

BASE and DRIVER (DRIVER Guidelines 2.0, which BASE follows): list pages of 100 to 500
items, oai_dc records holding DRIVER's mandatory elements (title, creator, date, type,
identifier), and incremental harvests by day. OpenAIRE Literature Guidelines v4: an
oai_openaire record holds its mandatory fields (title, publication date as datacite:date
dateType="Issued", resource type, resource identifier, access rights); its XSD checks
almost none of them.

The DRIVER findings are warnings: every item must be served in oai_dc whatever it holds,
so a record short of DRIVER's fields is a fact about the record, not a fault of the
endpoint. A repository offering oai_openaire claims that profile, so a record lacking a
mandatory field there fails.
"""

from __future__ import annotations

from lxml import etree

from . import selective
from .context import Context, Format, stamp
from .validation import OAI_DC, OAIRE, namespace

DC = "http://purl.org/dc/elements/1.1/"
DATACITE = "http://datacite.org/schema/kernel-4"
COAR_ACCESS = "http://purl.org/coar/access_right/"
#: DRIVER Guidelines 2.0, "Use of metadata oai_dc": the elements marked M.
DRIVER_MANDATORY = ("title", "creator", "date", "type", "identifier")
BATCH = range(100, 501)


def _text(element: etree._Element | None) -> bool:
    return element is not None and bool((element.text or "").strip())


def driver_missing(metadata: etree._Element) -> list[str]:
    """DRIVER's mandatory Dublin Core elements absent (or empty) in an oai_dc record."""
    return [
        name
        for name in DRIVER_MANDATORY
        if not any(_text(e) for e in metadata.iter(f"{{{DC}}}{name}"))
    ]


def openaire_missing(resource: etree._Element) -> list[str]:
    """OpenAIRE Literature v4's mandatory fields absent from an oaire:resource."""
    missing = []
    if not any(_text(t) for t in resource.iter(f"{{{DATACITE}}}title")):
        missing.append("title (datacite:title)")
    if not any(
        _text(d) and d.get("dateType") == "Issued" for d in resource.iter(f"{{{DATACITE}}}date")
    ):
        missing.append('publication date (datacite:date dateType="Issued")')
    if not any(
        _text(t) and t.get("uri") and t.get("resourceTypeGeneral")
        for t in resource.iter(f"{{{OAIRE}}}resourceType")
    ):
        missing.append("resource type (oaire:resourceType with uri and resourceTypeGeneral)")
    if not any(
        _text(i) and i.get("identifierType") for i in resource.iter(f"{{{DATACITE}}}identifier")
    ):
        missing.append("resource identifier (datacite:identifier with identifierType)")
    if not any(
        (r.get("rightsURI") or "").startswith(COAR_ACCESS)
        for r in resource.iter(f"{{{DATACITE}}}rights")
    ):
        missing.append("access rights (datacite:rights with a COAR rightsURI)")
    return missing


def judge_record(
    ctx: Context, fmt: Format, identifier: str, metadata: etree._Element, where: str
) -> None:
    ns = namespace(metadata)
    if ns == OAI_DC:
        missing = driver_missing(metadata)
        ctx.report.expect(
            "driver.dc_mandatory",
            not missing,
            f"{identifier} lacks dc:{', dc:'.join(missing)} (DRIVER: mandatory)",
            where,
        )
    elif ns == OAIRE:
        missing = openaire_missing(metadata)
        ctx.report.expect(
            "openaire.mandatory",
            not missing,
            f"{identifier} lacks {'; '.join(missing)}",
            where,
        )


def batch_size(ctx: Context) -> None:
    """Pages that had a next page hold 100 to 500 items (a warning otherwise)."""
    for (verb, prefix), listing in ctx.listings.items():
        sizes = sorted(set(listing.batch_sizes))
        if not sizes:
            continue
        ctx.report.expect(
            "driver.batch_size",
            all(size in BATCH for size in sizes),
            f"{verb} {prefix} pages hold {', '.join(map(str, sizes))} items; DRIVER and BASE "
            "ask for 100 to 500",
            listing.first.describe(ctx.url),
        )


def incremental(ctx: Context) -> None:
    """from=<the latest day> lists every record of that day and after, as BASE harvests."""
    listing = ctx.listings.get(("ListIdentifiers", "oai_dc"))
    if listing is None or not listing.headers:
        return
    latest = max(
        (s for s in (stamp(h.datestamp) for h in listing.headers) if s is not None),
        default=None,
    )
    if latest is None:
        return
    day = latest.strftime("%Y-%m-%d")
    selective.window(
        ctx,
        "base.incremental",
        "oai_dc",
        (("from", day),),
        lower=latest.replace(hour=0, minute=0, second=0),
        upper=None,
    )
