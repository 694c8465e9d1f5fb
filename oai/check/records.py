"""Formats and records: ListMetadataFormats, the full harvests, GetRecord (4.1, 4.3-4.5).

Every format ListMetadataFormats advertises is harvested with ListIdentifiers and with
ListRecords; each record's metadata is validated against its format's schema, must be
in the format's namespace, and is absent exactly for deleted records. The two lists
must agree. A sample of records is then fetched with GetRecord (same header, same
metadata) and ListMetadataFormats?identifier= (the record's formats are those it is
served in; a format it lacks is cannotDisseminateFormat).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable

from lxml import etree

from . import aggregators
from .context import Context, Format, Listing
from .document import Header, Item, q
from .harvest import follow
from .schemas import Unavailable
from .validation import OAI_DC, namespace


def read_formats(ctx: Context) -> None:
    answer = ctx.get(verb="ListMetadataFormats")
    element = answer.doc.verb("ListMetadataFormats") if answer.doc is not None else None
    if element is None:
        return
    for entry in element.findall(q("metadataFormat")):
        ctx.formats.append(
            Format(
                prefix=(entry.findtext(q("metadataPrefix")) or "").strip(),
                schema=(entry.findtext(q("schema")) or "").strip(),
                namespace=(entry.findtext(q("metadataNamespace")) or "").strip(),
            )
        )
    counts = Counter(f.prefix for f in ctx.formats)
    repeated = sorted(p for p, n in counts.items() if n > 1)
    ctx.report.expect(
        "formats.unique", not repeated, f"listed more than once: {repeated}", answer.where
    )
    dc = ctx.format("oai_dc")
    ctx.report.expect(
        "formats.oai_dc",
        dc is not None and dc.namespace == OAI_DC,
        "oai_dc is not offered" if dc is None else f"oai_dc's namespace is {dc.namespace!r}",
        answer.where,
    )


def digest(metadata: etree._Element) -> str:
    """The metadata's exclusive canonical form, hashed: equal for equal content."""
    canonical = etree.tostring(metadata, method="c14n", exclusive=True, with_comments=False)
    return hashlib.sha256(canonical).hexdigest()


def judge_record(ctx: Context, fmt: Format, item: Item, where: str) -> None:
    """The checks one record of format ``fmt`` must pass wherever it is served.

    A record already judged with the same header and metadata (a GetRecord of a record
    the list showed) is not judged again, so one fault is reported once.
    """
    head, metadata = item.header, item.metadata
    seen = (fmt.prefix, head, digest(metadata) if metadata is not None else "")
    if seen in ctx.judged:
        return
    ctx.judged.add(seen)
    if head.deleted:
        ctx.report.expect(
            "records.deleted",
            metadata is None,
            f"{head.identifier} is deleted but carries metadata",
            where,
        )
        return
    if not ctx.report.expect(
        "records.deleted", metadata is not None, f"{head.identifier} has no metadata", where
    ):
        return
    assert metadata is not None
    ctx.report.expect(
        "records.namespace",
        namespace(metadata) == fmt.namespace,
        f"{head.identifier}: metadata in {namespace(metadata)!r}, {fmt.prefix} is "
        f"{fmt.namespace!r}",
        where,
    )
    try:
        for verdict in ctx.validator.judge(metadata, ctx.advertised()):
            ctx.report.expect(
                "schema.metadata",
                verdict.error is None,
                f"{head.identifier}: {verdict.what} not valid against {verdict.schema}: "
                f"{verdict.error}",
                where,
            )
    except Unavailable as exc:
        ctx.unavailable(exc, where)
    aggregators.judge_record(ctx, fmt, head.identifier, metadata, where)


def _hook(ctx: Context, fmt: Format, digests: dict[str, str]) -> Callable[[Item, str], None]:
    def hook(item: Item, where: str) -> None:
        judge_record(ctx, fmt, item, where)
        if item.metadata is not None:
            digests[item.header.identifier] = digest(item.metadata)

    return hook


def harvest_all(ctx: Context) -> None:
    """Both lists of every format, as far as --max-records allows, then compare them."""
    limit = ctx.options.max_records
    for fmt in ctx.formats:
        ctx.phase(f"ListIdentifiers {fmt.prefix}")
        arguments = (("metadataPrefix", fmt.prefix),)
        ctx.listings[("ListIdentifiers", fmt.prefix)] = follow(
            ctx, "ListIdentifiers", arguments, limit
        )
        ctx.phase(f"ListRecords {fmt.prefix}")
        digests: dict[str, str] = {}
        records = follow(ctx, "ListRecords", arguments, limit, hook=_hook(ctx, fmt, digests))
        records.digests = digests
        ctx.listings[("ListRecords", fmt.prefix)] = records
        _agree(ctx, fmt)


def _same(a: Header, b: Header) -> bool:
    return (a.identifier, a.datestamp, a.deleted, sorted(a.sets)) == (
        b.identifier,
        b.datestamp,
        b.deleted,
        sorted(b.sets),
    )


def _agree(ctx: Context, fmt: Format) -> None:
    identifiers = ctx.listings[("ListIdentifiers", fmt.prefix)]
    records = ctx.listings[("ListRecords", fmt.prefix)]
    where = f"{records.first.describe(ctx.url)} (against ListIdentifiers)"
    by_id = {h.identifier: h for h in identifiers.headers}
    if identifiers.complete and records.complete:
        listed = {h.identifier for h in records.headers}
        missing = sorted(set(by_id) - listed)
        extra = sorted(listed - set(by_id))
        ctx.report.expect(
            "lists.agree",
            not missing and not extra,
            f"{fmt.prefix}: ListRecords lacks {len(missing)} {missing[:3]} and adds "
            f"{len(extra)} {extra[:3]} of ListIdentifiers' records",
            where,
        )
    elif identifiers.headers and records.headers:
        ctx.report.note(f"{fmt.prefix}: ListRecords and ListIdentifiers compared in part only")
    differ = [
        h.identifier
        for h in records.headers
        if h.identifier in by_id and not _same(h, by_id[h.identifier])
    ]
    if by_id and records.headers:
        ctx.report.expect(
            "lists.agree",
            not differ,
            f"{fmt.prefix}: {len(differ)} headers differ between the lists, e.g. {differ[:2]}",
            where,
        )


def _samples(ctx: Context, listing: Listing) -> list[Header]:
    headers = listing.headers
    chosen = [headers[0], headers[-1]] if headers else []
    chosen += [h for h in headers if h.deleted][:1]
    unique: dict[str, Header] = {}
    for header in chosen:
        unique.setdefault(header.identifier, header)
    return list(unique.values())


def sample(ctx: Context) -> None:
    """GetRecord and ListMetadataFormats?identifier= for a few records of each format."""
    checked: set[str] = set()
    for fmt in ctx.formats:
        listing = ctx.listings.get(("ListRecords", fmt.prefix))
        if listing is None:
            continue
        for header in _samples(ctx, listing):
            _get_record(ctx, fmt, listing, header)
            if header.identifier not in checked:
                checked.add(header.identifier)
                _record_formats(ctx, fmt, header)


def _get_record(ctx: Context, fmt: Format, listing: Listing, header: Header) -> None:
    answer = ctx.get(verb="GetRecord", identifier=header.identifier, metadataPrefix=fmt.prefix)
    items = answer.doc.items("GetRecord") if answer.doc is not None else []
    if not ctx.report.expect(
        "records.get_record",
        len(items) == 1,
        f"GetRecord does not serve {header.identifier} listed in {fmt.prefix}: "
        f"{answer.errors or 'no record'}",
        answer.where,
    ):
        return
    (item,) = items
    judge_record(ctx, fmt, item, answer.where)
    same_metadata = item.metadata is None or listing.digests.get(header.identifier) in (
        None,
        digest(item.metadata),
    )
    ctx.report.expect(
        "records.get_record",
        _same(item.header, header) and same_metadata,
        f"{header.identifier}: GetRecord's "
        + ("header" if not _same(item.header, header) else "metadata")
        + " differs from the list's",
        answer.where,
    )


def _record_formats(ctx: Context, fmt: Format, header: Header) -> None:
    answer = ctx.get(verb="ListMetadataFormats", identifier=header.identifier)
    if answer.doc is None:
        return
    if answer.errors:
        wrong = header.deleted is False and "noMetadataFormats" in answer.errors
        ctx.report.expect(
            "errors.noMetadataFormats",
            not wrong,
            f"noMetadataFormats for {header.identifier}, which is served in {fmt.prefix}",
            answer.where,
        )
        if not header.deleted:
            ctx.report.fail(
                "formats.per_record",
                f"{header.identifier} is served in {fmt.prefix}, yet ListMetadataFormats "
                f"answers {answer.errors}",
                answer.where,
            )
        return
    element = answer.doc.verb("ListMetadataFormats")
    listed = (
        set()
        if element is None
        else {(p.text or "").strip() for p in element.iter(q("metadataPrefix"))}
    )
    ctx.report.expect(
        "formats.per_record",
        fmt.prefix in listed or header.deleted,
        f"{header.identifier} is served in {fmt.prefix}, which its formats {sorted(listed)} "
        "leave out",
        answer.where,
    )
    if header.deleted:
        return  # what a deleted record lacks is not said by the spec
    for other in ctx.formats:
        if other.prefix in listed:
            continue
        refused = ctx.get(
            verb="GetRecord", identifier=header.identifier, metadataPrefix=other.prefix
        )
        ctx.report.expect(
            "errors.cannotDisseminateFormat",
            refused.errors == ["cannotDisseminateFormat"],
            f"{header.identifier} lacks {other.prefix} (ListMetadataFormats), GetRecord "
            f"answers {refused.errors or 'a record'}",
            refused.where,
        )
        in_list = header.identifier in ctx.headers(other.prefix)
        ctx.report.expect(
            "formats.per_record",
            not in_list,
            f"{header.identifier} lacks {other.prefix} (ListMetadataFormats), yet "
            f"ListIdentifiers {other.prefix} lists it",
            answer.where,
        )
