"""Every verb by POST (spec 3.1.1.2): the same arguments form-encoded give the same answer.

Answers are compared by their shape, not their bytes: the same error codes, or the same
verb with the same first items (identifiers, setSpecs, prefixes, baseURL).
"""

from __future__ import annotations

from .client import Request
from .context import Answer, Context
from .document import LIST_VERBS, VERBS, q


def shape(answer: Answer) -> str:
    doc = answer.doc
    if doc is None:
        return f"HTTP {answer.exchange.status} without an OAI-PMH document"
    if doc.errors:
        return "error " + " ".join(sorted(doc.errors))
    for verb in VERBS:
        element = doc.verb(verb)
        if element is None:
            continue
        if verb in (*LIST_VERBS, "GetRecord"):
            found = [i.header.identifier for i in doc.items(verb)]
        elif verb == "ListSets":
            found = doc.set_specs()
        elif verb == "ListMetadataFormats":
            found = [(p.text or "").strip() for p in element.iter(q("metadataPrefix"))]
        else:
            found = [doc.text("Identify", "baseURL") or ""]
        return f"{verb} {found}"
    return "no verb element"


def check(ctx: Context) -> None:
    prefix = ctx.main_prefix()
    identifier = ctx.live_identifier()
    requests = [
        Request.get(verb="Identify"),
        Request.get(verb="ListMetadataFormats"),
        Request.get(verb="ListSets"),
        Request.get(verb="ListIdentifiers", metadataPrefix=prefix),
        Request.get(verb="ListRecords", metadataPrefix=prefix),
        Request.get(),  # no verb: badVerb both ways
    ]
    if identifier:
        record = Request.get(verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
        requests.insert(3, record)
    for request in requests:
        got = shape(ctx.send(request))
        posted = ctx.send(request.as_post())
        ctx.report.expect(
            "http.post",
            shape(posted) == got,
            f"POST answers {shape(posted)[:120]}, GET answers {got[:120]}",
            posted.where,
        )
