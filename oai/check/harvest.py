"""Following a list to its end: the paging rules of the spec (section 3.5).

A list is requested, then each resumptionToken is sent back until a page has none or
an empty one, or until ``--max-records`` items have come. On the way: each cursor
counts the items sent before its page, completeListSize stays the same and (for a list
followed to its end) equals the items received, no identifier comes twice, a token
just issued is accepted, a multi-page list ends with an empty token, and an
expirationDate lies after its responseDate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from .client import Pairs, Request
from .context import Answer, Context, Listing
from .document import Document, Item, Token

#: Called with each item and the request whose page held it.
ItemHook = Callable[[Item, str], None]


def _expiration(ctx: Context, doc: Document, token: Token, where: str) -> None:
    if token.expiration is None:
        return
    try:
        expires = datetime.strptime(token.expiration, "%Y-%m-%dT%H:%M:%SZ")
        answered = datetime.strptime(doc.response_date, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        ctx.report.fail("tokens.expiration", f"expirationDate {token.expiration!r}", where)
        return
    ctx.report.expect(
        "tokens.expiration",
        expires > answered,
        f"expirationDate {token.expiration} is not after responseDate {doc.response_date}",
        where,
    )


def _ids(verb: str, doc: Document) -> list[str]:
    if verb == "ListSets":
        return doc.set_specs()
    return [item.header.identifier for item in doc.items(verb)]


def follow(
    ctx: Context,
    verb: str,
    arguments: Pairs,
    limit: int,
    hook: ItemHook | None = None,
    on_page: Callable[[Answer], None] | None = None,
) -> Listing:
    """Harvest ``verb`` with ``arguments`` (GET), following tokens until ``limit`` items came.

    ``hook`` sees each item with the request of its page, ``on_page`` each answer.
    """
    first = Request.get(("verb", verb), *arguments)
    listing = Listing(verb, first)
    request, count, sizes, tokens = first, 0, set(), set()
    while True:
        answer = ctx.send(request)
        doc = answer.doc
        if doc is None:
            return listing
        if doc.errors:
            if listing.pages:
                ctx.report.fail(
                    "lists.resumption",
                    f"the token the previous page issued is refused: {doc.errors[0]}",
                    answer.where,
                )
            else:
                listing.error = doc.errors[0]
                listing.complete = listing.error == "noRecordsMatch"
            return listing
        if doc.verb(verb) is None:
            return listing  # neither the list nor an error: the schema check said so
        if on_page is not None:
            on_page(answer)
        ids = _ids(verb, doc)
        if verb != "ListSets":
            for item in doc.items(verb):
                listing.headers.append(item.header)
                if hook is not None:
                    hook(item, answer.where)
        listing.pages.append((request, ids))
        if len(listing.pages) > 1:
            ctx.report.passed("lists.resumption")
        token = doc.token(verb)
        if token is not None and token.cursor is not None:
            ctx.report.expect(
                "lists.cursor",
                token.cursor == count,
                f"cursor is {token.cursor}, but {count} items came before this page",
                answer.where,
            )
        if token is not None and token.complete_list_size is not None:
            sizes.add(token.complete_list_size)
        count += len(ids)
        if token is None or not token.value:
            if len(listing.pages) > 1:
                ctx.report.expect(
                    "lists.last_token",
                    token is not None,
                    "the last page of the list has no (empty) resumptionToken element",
                    answer.where,
                )
            listing.complete = True
            break
        listing.batch_sizes.append(len(ids))
        _expiration(ctx, doc, token, answer.where)
        if token.value in tokens:
            ctx.report.fail(
                "lists.resumption", "a resumptionToken came back: the list loops", answer.where
            )
            break
        tokens.add(token.value)
        if count >= limit:
            asked = "&".join(f"{k}={v}" for k, v in arguments)
            ctx.report.note(
                f"{verb} {asked} was followed for {count} items only (--max-records): "
                "checks needing the whole list skipped it"
            )
            break
        request = Request.get(("verb", verb), ("resumptionToken", token.value))
    _sizes(ctx, listing, sizes, count)
    _repeats(ctx, listing)
    return listing


def _sizes(ctx: Context, listing: Listing, sizes: set[int], count: int) -> None:
    where = listing.first.describe(ctx.url) + " (and the pages after it)"
    if len(sizes) > 1:
        ctx.report.fail(
            "lists.complete_list_size",
            f"completeListSize changes between pages: {sorted(sizes)}",
            where,
        )
    elif sizes and listing.complete:
        (size,) = sizes
        ctx.report.expect(
            "lists.complete_list_size",
            size == count,
            f"completeListSize is {size}, but the list held {count} items",
            where,
        )


def _repeats(ctx: Context, listing: Listing) -> None:
    where = listing.first.describe(ctx.url) + " (and the pages after it)"
    counts = Counter(ident for _, ids in listing.pages for ident in ids)
    repeated = sorted(ident for ident, n in counts.items() if n > 1)
    ctx.report.expect(
        "lists.repeated",
        not repeated,
        f"{len(repeated)} listed more than once, e.g. {repeated[:3]}",
        where,
    )
