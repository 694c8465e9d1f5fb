"""Selective harvesting: sets and their hierarchy, from/until windows (spec 2.6, 2.7, 4.6).

Each selective harvest is judged against the full ListIdentifiers harvest of the same
format: it may list only records inside its window or set, and, when both were followed
to their end, it must list every such record. A record in set ``a:b`` is in ``a`` too.
A window of one day at day granularity (``from=D&until=D``) must hold the whole day:
an ``until`` that stops at the day's first second is the commonest date bug there is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from .client import Pairs
from .context import SECONDS, Answer, Context, stamp
from .document import Header, q
from .harvest import follow
from .schemas import Unavailable

Member = Callable[[Header], bool]


def _reference(ctx: Context, prefix: str) -> list[Header]:
    listing = ctx.listings.get(("ListIdentifiers", prefix))
    return listing.headers if listing is not None else []


def window(
    ctx: Context,
    check: str,
    prefix: str,
    arguments: Pairs,
    lower: datetime | None,
    upper: datetime | None,
    member: Member | None = None,
) -> None:
    """Harvest ListIdentifiers with ``arguments`` and compare it with the full harvest."""

    def inside(header: Header) -> bool:
        when = stamp(header.datestamp)
        return (
            when is not None
            and (lower is None or when >= lower)
            and (upper is None or when <= upper)
            and (member is None or member(header))
        )

    listing = follow(
        ctx, "ListIdentifiers", (("metadataPrefix", prefix), *arguments), ctx.options.max_records
    )
    where = listing.first.describe(ctx.url)
    if listing.error not in (None, "noRecordsMatch"):
        ctx.report.fail(check, f"answered {listing.error}", where)
        return
    outside = [f"{h.identifier} ({h.datestamp})" for h in listing.headers if not inside(h)]
    ctx.report.expect(
        check, not outside, f"{len(outside)} listed outside it, e.g. {outside[:2]}", where
    )
    full = ctx.listings.get(("ListIdentifiers", prefix))
    if listing.complete and full is not None:
        got = {h.identifier for h in listing.headers}
        missing = [f"{h.identifier} ({h.datestamp})" for h in full.headers if inside(h)]
        missing = [m for m in missing if m.split(" ", 1)[0] not in got]
        ctx.report.expect(
            check,
            not missing,
            f"{len(missing)} records inside it are missing, e.g. {missing[:2]}",
            where,
        )


# --- dates ------------------------------------------------------------------------------


def _days(headers: list[Header]) -> list[datetime]:
    """Up to three days to try: the earliest, the latest, and the busiest."""
    days = Counter(
        s.replace(hour=0, minute=0, second=0)
        for s in (stamp(h.datestamp) for h in headers)
        if s is not None
    )
    if not days:
        return []
    chosen = [min(days), max(days), days.most_common(1)[0][0]]
    return sorted(set(chosen))


def dates(ctx: Context) -> None:
    prefix = ctx.main_prefix()
    headers = _reference(ctx, prefix)
    if not headers:
        return
    end = timedelta(days=1, seconds=-1)
    seconds = ctx.facts.granularity == SECONDS
    for day in _days(headers):
        d = day.strftime("%Y-%m-%d")
        window(ctx, "dates.day_window", prefix, (("from", d), ("until", d)), day, day + end)
        if seconds:
            arguments = (("from", f"{d}T00:00:00Z"), ("until", f"{d}T23:59:59Z"))
            window(ctx, "dates.seconds_window", prefix, arguments, day, day + end)
    first = min(_days(headers))
    d = first.strftime("%Y-%m-%d")
    window(ctx, "dates.day_window", prefix, (("until", d),), None, first + end)
    if seconds:
        busiest = Counter(h.datestamp for h in headers).most_common(1)[0][0]
        exact = stamp(busiest)
        if exact is not None:
            arguments = (("from", busiest), ("until", busiest))
            window(ctx, "dates.seconds_window", prefix, arguments, exact, exact)
    _empty_window(ctx, prefix, first)


def _empty_window(ctx: Context, prefix: str, first_day: datetime) -> None:
    earliest = stamp(ctx.facts.earliest or "") or first_day
    if earliest.year < 2:
        return
    before = (earliest.replace(hour=0, minute=0, second=0) - timedelta(days=1)).strftime("%Y-%m-%d")
    answer = ctx.get(verb="ListIdentifiers", metadataPrefix=prefix, until=before)
    ctx.report.expect(
        "errors.noRecordsMatch",
        answer.errors == ["noRecordsMatch"],
        f"a window before earliestDatestamp answers {answer.errors or 'a list'}",
        answer.where,
    )


# --- sets -------------------------------------------------------------------------------


def read_sets(ctx: Context) -> None:
    """Follow ListSets; validate set descriptions; None for a repository without sets."""

    def descriptions(answer: Answer) -> None:
        element = answer.doc.verb("ListSets") if answer.doc is not None else None
        if element is None:
            return
        for holder in element.iter(q("setDescription")):
            for child in holder:
                if not isinstance(child.tag, str):
                    continue
                try:
                    for verdict in ctx.validator.judge(child):
                        ctx.report.expect(
                            "schema.description",
                            verdict.error is None,
                            f"a setDescription is not valid against {verdict.schema}: "
                            f"{verdict.error}",
                            answer.where,
                        )
                except Unavailable as exc:
                    ctx.unavailable(exc, answer.where)

    listing = follow(ctx, "ListSets", (), 100_000, on_page=descriptions)
    ctx.set_listing = listing
    if listing.error == "noSetHierarchy":
        ctx.sets = None
        return
    specs = [spec for _, ids in listing.pages for spec in ids]
    ctx.sets = specs
    repeated = sorted(s for s, n in Counter(specs).items() if n > 1)
    ctx.report.expect(
        "sets.list", not repeated, f"setSpecs listed twice: {repeated[:3]}", listing.described
    )


def _under(spec: str, parent: str) -> bool:
    return spec.startswith(parent + ":")


def _chosen(ctx: Context, declared: list[str], headers: list[Header]) -> list[str]:
    used = Counter(spec for h in headers for spec in h.sets)
    parents = [s for s in declared if any(_under(o, s) for o in declared)]
    empty = [s for s in declared if not any(u == s or _under(u, s) for u in used)]
    ordered = parents + empty[:1] + sorted(used, key=lambda s: -used[s]) + declared
    unique = list(dict.fromkeys(ordered))
    return unique[: ctx.options.max_sets]


def sets(ctx: Context) -> None:
    prefix = ctx.main_prefix()
    if ctx.sets is None:
        for verb in ("ListIdentifiers", "ListRecords"):
            answer = ctx.get(verb=verb, metadataPrefix=prefix, set="any")
            ctx.report.expect(
                "errors.noSetHierarchy",
                answer.errors == ["noSetHierarchy"],
                f"ListSets says noSetHierarchy, a set request answers {answer.errors or 'a list'}",
                answer.where,
            )
        return
    headers = _reference(ctx, prefix)
    full = ctx.listings.get(("ListIdentifiers", prefix))
    complete = full is not None and full.complete
    undeclared = sorted({s for h in headers for s in h.sets} - set(ctx.sets))
    if ctx.sets or headers:
        ctx.report.expect(
            "sets.declared",
            not undeclared,
            f"{len(undeclared)} setSpecs in headers are not in ListSets: {undeclared[:3]}",
            f"GET {ctx.url}?verb=ListSets",
        )
    for spec in _chosen(ctx, ctx.sets, headers):
        _one_set(ctx, prefix, spec, headers, complete)
    answer = ctx.get(verb="ListIdentifiers", metadataPrefix=prefix, set="no-such-set-oai-check")
    ctx.report.expect(
        "errors.noRecordsMatch",
        answer.errors in (["noRecordsMatch"], ["badArgument"]),
        f"a set that does not exist answers {answer.errors or 'a list'}",
        answer.where,
    )


def _one_set(ctx: Context, prefix: str, spec: str, headers: list[Header], complete: bool) -> None:
    listing = follow(
        ctx, "ListIdentifiers", (("metadataPrefix", prefix), ("set", spec)), ctx.options.max_records
    )
    where = listing.first.describe(ctx.url)
    direct = {h.identifier for h in headers if spec in h.sets}
    below = {h.identifier for h in headers if any(_under(s, spec) for s in h.sets)}
    if listing.error not in (None, "noRecordsMatch"):
        ctx.report.fail("sets.membership", f"set={spec} answers {listing.error}", where)
        return
    if listing.error == "noRecordsMatch" and complete and not direct | below:
        ctx.report.passed("errors.noRecordsMatch")
    strangers = [
        h.identifier
        for h in listing.headers
        if not any(s == spec or _under(s, spec) for s in h.sets)
    ]
    ctx.report.expect(
        "sets.membership",
        not strangers,
        f"set={spec} lists {len(strangers)} records whose headers name neither it nor a "
        f"subset, e.g. {strangers[:2]}",
        where,
    )
    if not (listing.complete and complete):
        return
    got = {h.identifier for h in listing.headers}
    missing = sorted(direct - got)
    ctx.report.expect(
        "sets.membership",
        not missing,
        f"set={spec} lacks {len(missing)} records whose headers name it, e.g. {missing[:2]}",
        where,
    )
    if below:
        lacking = sorted(below - got)
        ctx.report.expect(
            "sets.hierarchy",
            not lacking,
            f"set={spec} lacks {len(lacking)} records of its subsets, e.g. {lacking[:2]}",
            where,
        )
