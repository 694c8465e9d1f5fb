"""Resumption tokens beyond plain paging (spec 3.5): repeated, altered, taken elsewhere.

The same token must give the same page again (idempotency). A token with a character
changed or cut short, or one issued by the other list verb, should be refused with
badResumptionToken. The spec does not demand tokens a harvester cannot forge, so a
repository whose altered token still returns a list page gets a warning, not a failure;
answering it with anything but badResumptionToken or a page is a failure. A token
beside any other argument is badArgument (it is exclusive).
"""

from __future__ import annotations

from .client import Request
from .context import Answer, Context, Listing
from .document import LIST_VERBS

_NEXT = {
    **{c: chr((ord(c) - 48 + 1) % 10 + 48) for c in "0123456789"},
    **{c: chr((ord(c) - 97 + 1) % 26 + 97) for c in "abcdefghijklmnopqrstuvwxyz"},
    **{c: chr((ord(c) - 65 + 1) % 26 + 65) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
}


def altered(token: str) -> list[tuple[str, str]]:
    """(how, token) variants: one character changed within its class, and cut in half."""
    middle = len(token) // 2
    char = token[middle] if token else "a"
    changed = token[:middle] + _NEXT.get(char, "A" if char != "A" else "B") + token[middle + 1 :]
    variants = [("one character changed", changed)]
    if len(token) > 1:
        variants.append(("cut to half its length", token[:middle]))
    return variants


def _second_page(ctx: Context, verb: str) -> tuple[Listing, str] | None:
    for (listed_verb, prefix), listing in ctx.listings.items():
        if listed_verb == verb and len(listing.pages) > 1:
            return listing, prefix
    return None


def _refused(ctx: Context, check: str, verb: str, answer: Answer, what: str) -> None:
    if answer.errors == ["badResumptionToken"]:
        ctx.report.passed(check)
    elif answer.doc is not None and answer.doc.verb(verb) is not None:
        ctx.report.warn(check, f"{what} is accepted: a list page comes back", answer.where)
    else:
        ctx.report.fail(
            check,
            f"{what} answers {answer.errors or 'no OAI-PMH response'}, not badResumptionToken",
            answer.where,
        )


def check(ctx: Context) -> None:
    for verb in LIST_VERBS:
        found = _second_page(ctx, verb)
        if found is None:
            ctx.report.note(f"{verb}: no list had two pages, so tokens were not re-sent")
            continue
        listing, prefix = found
        request, ids = listing.pages[1]
        token = request.argument("resumptionToken") or ""
        again = ctx.send(request)
        repeated = [i.header.identifier for i in again.doc.items(verb)] if again.doc else []
        ctx.report.expect(
            "tokens.idempotent",
            repeated == ids,
            f"the same token gave {len(ids)} items first, now {len(repeated)}"
            + ("" if len(repeated) != len(ids) else " others"),
            again.where,
        )
        for how, value in altered(token):
            answer = ctx.send(Request.get(verb=verb, resumptionToken=value))
            _refused(ctx, "tokens.tampered", verb, answer, f"a token with {how}")
        other = "ListRecords" if verb == "ListIdentifiers" else "ListIdentifiers"
        answer = ctx.send(Request.get(verb=other, resumptionToken=token))
        _refused(ctx, "tokens.cross_verb", other, answer, f"a {verb} token given to {other}")
        answer = ctx.send(Request.get(verb=verb, resumptionToken=token, metadataPrefix=prefix))
        ctx.report.expect(
            "errors.badArgument",
            bool(answer.errors) and set(answer.errors) == {"badArgument"},
            f"a resumptionToken with metadataPrefix beside it answers "
            f"{answer.errors or 'a list'}, not badArgument",
            answer.where,
        )
    sets = ctx.set_listing
    if sets is not None and len(sets.pages) > 1:
        request, ids = sets.pages[1]
        again = ctx.send(request)
        specs = again.doc.set_specs() if again.doc is not None else []
        ctx.report.expect(
            "tokens.idempotent", specs == ids, "a ListSets token gave other sets again", again.where
        )
        token = request.argument("resumptionToken") or ""
        answer = ctx.send(Request.get(verb="ListIdentifiers", resumptionToken=token))
        _refused(ctx, "tokens.cross_verb", "ListIdentifiers", answer, "a ListSets token")
