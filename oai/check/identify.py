"""Identify's facts, read first and checked against what the rest of the run sees (4.2).

baseURL must be the URL checked; earliestDatestamp must be a lower bound of every
datestamp served (and should be the earliest one); deletedRecord "no" rules out deleted
headers; descriptions must be valid; the oai-identifier's sampleIdentifier must be a
record GetRecord serves; each advertised compression must give the same document.
"""

from __future__ import annotations

from lxml import etree

from .client import Request
from .context import Answer, Context, has_granularity, stamp
from .document import q
from .schemas import Unavailable
from .validation import namespace

OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"


def read(ctx: Context, answer: Answer) -> None:
    """Take the facts of the Identify response and check those that stand alone."""
    doc = answer.doc
    if doc is None:
        return
    facts = ctx.facts
    facts.base_url = doc.text("Identify", "baseURL")
    facts.granularity = doc.text("Identify", "granularity")
    facts.earliest = doc.text("Identify", "earliestDatestamp")
    facts.deleted_record = doc.text("Identify", "deletedRecord")
    identify = doc.verb("Identify")
    if identify is None:
        return
    facts.compressions = tuple((c.text or "").strip() for c in identify.findall(q("compression")))
    ctx.report.expect(
        "identify.base_url",
        facts.base_url == ctx.url,
        f"baseURL is {facts.base_url!r}, not the URL checked",
        answer.where,
    )
    if facts.granularity and facts.earliest:
        ctx.report.expect(
            "identify.granularity",
            has_granularity(facts.earliest, facts.granularity),
            f"earliestDatestamp {facts.earliest!r} is not {facts.granularity}",
            answer.where,
        )
    for holder in identify.findall(q("description")):
        for element in holder:
            if not isinstance(element.tag, str):
                continue
            _description(ctx, element, answer.where)
            if namespace(element) == OAI_IDENTIFIER:
                facts.repository_identifier = element.findtext(
                    f"{{{OAI_IDENTIFIER}}}repositoryIdentifier"
                )
                facts.sample_identifier = element.findtext(f"{{{OAI_IDENTIFIER}}}sampleIdentifier")


def _description(ctx: Context, element: etree._Element, where: str) -> None:
    try:
        for verdict in ctx.validator.judge(element):
            ctx.report.expect(
                "schema.description",
                verdict.error is None,
                f"{verdict.what} is not valid against {verdict.schema}: {verdict.error}",
                where,
            )
    except Unavailable as exc:
        ctx.unavailable(exc, where)


def compression(ctx: Context) -> None:
    """Each advertised compression gives a document that decodes to a valid Identify."""
    for encoding in ctx.facts.compressions:
        if encoding in ("", "identity"):
            continue
        answer = ctx.send(Request.get(verb="Identify"), accept_encoding=encoding)
        ok = answer.doc is not None and answer.doc.verb("Identify") is not None
        ctx.report.expect(
            "http.compression",
            ok,
            f"Identify asked with Accept-Encoding: {encoding} gives no Identify response",
            f"{answer.where} (Accept-Encoding: {encoding})",
        )


def after_harvest(ctx: Context) -> None:
    """The checks that need the harvests: earliest, deletedRecord, the oai-identifier."""
    facts = ctx.facts
    headers = [h for listing in ctx.listings.values() for h in listing.headers]
    identify = ctx.url + "?verb=Identify"
    complete = all(
        listing.complete for (verb, _), listing in ctx.listings.items() if verb == "ListIdentifiers"
    )
    stamps = [s for s in (stamp(h.datestamp) for h in headers) if s is not None]
    lower = stamp(facts.earliest) if facts.earliest else None
    if stamps and lower is not None and complete:
        first = min(stamps)
        ctx.report.expect(
            "identify.earliest_exact",
            first == lower,
            f"earliestDatestamp is {facts.earliest}, the earliest datestamp served is "
            f"{first.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"GET {identify}",
        )
    deleted = sorted({h.identifier for h in headers if h.deleted})
    if facts.deleted_record == "no":
        ctx.report.expect(
            "identify.deleted_record",
            not deleted,
            f"deletedRecord is 'no', yet {len(deleted)} deleted records are served, "
            f"e.g. {deleted[:2]}",
            f"GET {identify}",
        )
    elif facts.deleted_record in ("transient", "persistent"):
        ctx.report.passed("identify.deleted_record")
    _oai_identifier(ctx, [h.identifier for h in headers])
    _sample(ctx)


def _oai_identifier(ctx: Context, identifiers: list[str]) -> None:
    repository = ctx.facts.repository_identifier
    if not repository or not identifiers:
        return
    prefix = f"oai:{repository}:"
    other = sorted({i for i in identifiers if not i.startswith(prefix)})
    ctx.report.expect(
        "identify.oai_identifier",
        not other,
        f"{len(other)} identifiers do not start with {prefix!r}, e.g. {other[:2]}",
        f"GET {ctx.url}?verb=Identify",
    )


def _sample(ctx: Context) -> None:
    sample = ctx.facts.sample_identifier
    if not sample:
        return
    prefix = ctx.main_prefix()
    if not prefix:
        return
    answer = ctx.get(verb="GetRecord", identifier=sample.strip(), metadataPrefix=prefix)
    found = answer.doc is not None and bool(answer.doc.items("GetRecord"))
    ctx.report.expect(
        "identify.sample_identifier",
        found,
        f"the sampleIdentifier {sample!r} is not served: {answer.errors or 'no record'}",
        answer.where,
    )
