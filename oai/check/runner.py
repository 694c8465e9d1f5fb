"""One run of ``oai check``: the phases in order, from Identify to the aggregators' rules.

The first request (Identify by GET) decides whether there is anything to check: no HTTP
answer at all (refused, unknown host, timeout) raises Unreachable, and an answer that is
not an OAI-PMH document (a 404 page, a redirect, HTML) raises NotAnEndpoint; the command
exits 2 for both. Once the run has started, an endpoint that stops answering is a failure
of the request that got no answer, and the run ends there. Should the checker itself
fail in a phase (a bug: some answer it did not foresee), that phase is reported as not
checked and the others still run, so the user gets a report rather than a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from . import aggregators, envelope, errors, identify, post, records, selective, tokens
from .client import Client, Request, Unreachable
from .context import Answer, Context, Options
from .document import Document, NotXML, parse
from .report import Report
from .schemas import Catalog, Source, catalog_files, default_cache_dir
from .validation import Validator


class NotAnEndpoint(Exception):
    """The URL answers HTTP, but not as an OAI-PMH endpoint; the message says what came."""


def validator(options: Options) -> Validator:
    catalog = Catalog()
    for path in catalog_files(options.schemas_dir, dict(os.environ)):
        catalog.read(path)
    cache = options.cache_dir or default_cache_dir()
    return Validator(Source(catalog, cache, download=not options.offline))


def _first(ctx: Context) -> Answer:
    exchange = ctx.client.send(Request.get(verb="Identify"))
    if 300 <= exchange.status < 400:
        target = exchange.headers.get("location", "elsewhere")
        raise NotAnEndpoint(f"Identify is redirected (HTTP {exchange.status}) to {target}")
    try:
        is_oai = Document(parse(exchange.body)).is_oai
    except NotXML:
        is_oai = False
    if not is_oai:
        kind = exchange.content_type or "no content type"
        raise NotAnEndpoint(
            f"Identify answers HTTP {exchange.status} ({kind}), not an OAI-PMH document"
        )
    return Answer(exchange, envelope.inspect(ctx, exchange))


def _records(ctx: Context) -> None:
    identify.after_harvest(ctx)
    records.sample(ctx)


def _aggregators(ctx: Context) -> None:
    aggregators.batch_size(ctx)
    aggregators.incremental(ctx)


def _post(ctx: Context) -> None:
    post.check(ctx)
    identify.compression(ctx)


#: What runs after Identify, in order.
STEPS: tuple[tuple[str, Callable[[Context], None]], ...] = (
    ("ListMetadataFormats", records.read_formats),
    ("ListSets", selective.read_sets),
    ("harvests", records.harvest_all),
    ("GetRecord", _records),
    ("resumption tokens", tokens.check),
    ("error conditions", errors.check),
    ("sets", selective.sets),
    ("dates", selective.dates),
    ("aggregators", _aggregators),
    ("POST", _post),
)


def run(
    options: Options,
    progress: Callable[[str], None] | None = None,
    on_request: Callable[[Request], None] | None = None,
) -> Report:
    """Check the endpoint at ``options.url``; Unreachable or NotAnEndpoint before it starts."""
    report = Report(options.url)
    client = Client(options.url, options.delay, options.timeout, on_request=on_request)
    ctx = Context(options, report, client, validator(options), progress)
    try:
        ctx.phase("Identify")
        identify.read(ctx, _first(ctx))
        for name, phase in STEPS:
            ctx.phase(name)
            try:
                phase(ctx)
            except Unreachable as exc:
                report.fail("http.status", f"no answer any more ({exc}); the check stopped")
                break
            except Exception as exc:  # a fault of the checker, not of the endpoint
                report.note(
                    f"{name}: the checker itself failed ({type(exc).__name__}: {exc}); "
                    "the other checks ran"
                )
    finally:
        client.close()
    return report


#: The phases a progress bar counts, in the order they run.
PHASES: tuple[str, ...] = ("Identify", *(name for name, _ in STEPS))
