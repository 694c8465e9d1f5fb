"""``oai check`` against endpoints broken on purpose: each check must be able to fail.

One server (this project's app on a small database behind tests/brokenoai.py) serves
every case; each case switches one defect on and asserts that the check it breaks is
reported, by check name and level, never by message text. The correct endpoint, the
same without sets, and the same with two more formats must pass without a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from oai.check import Options, Report, run
from oai.check.names import CHECKS

from . import defects as d
from . import xsd
from .brokenoai import Alias, Defect, Endpoint, serving
from .variants import OPENAIRE, OPENAIRE_LACKING, PART, SetsAnswerNoRecords, WithoutSets


@dataclass(frozen=True)
class Case:
    name: str
    check: str
    defect: Defect
    level: Literal["fail", "warn"] = "fail"
    aliases: list[Alias] = field(default_factory=list)


def cases() -> list[Case]:
    """A fresh table (defects keep state, so each run gets new ones)."""
    ids, lists = d.verb("Identify"), d.verb(*d.LISTS)
    fail503 = "503 SERVICE UNAVAILABLE"
    return [
        Case(
            "wrong cursor",
            "lists.cursor",
            d.Rewrite(d.resumed(*d.LISTS), change=d.tokens(d.bump_cursor)),
        ),
        Case(
            "completeListSize off by one",
            "lists.complete_list_size",
            d.Rewrite(lists, change=d.tokens(d.bump_size)),
        ),
        Case(
            "a token repeats the first page",
            "lists.repeated",
            d.Rewrite(lists, reply=d.repeat_first_page),
        ),
        Case("500 on a bad date", "http.status", d.on_call(d.bad_dates, d.crash)),
        Case(
            "invalid metadata",
            "schema.metadata",
            d.Rewrite(d.verb("ListRecords", "GetRecord"), change=d.bogus_dc),
        ),
        Case(
            "an unknown verb answers Identify",
            "errors.badVerb",
            d.on_call(d.not_one_legal_verb, d.as_identify),
        ),
        Case(
            "idDoesNotExist answered badArgument",
            "errors.idDoesNotExist",
            d.Rewrite(change=d.recode("idDoesNotExist", "badArgument")),
        ),
        Case("until excludes its own day", "dates.day_window", d.on_call(d.day_dates, d.midnight)),
        Case("text/html content type", "http.content_type", d.Rewrite(reply=d.as_html)),
        Case(
            "ListRecords drops a record",
            "lists.agree",
            d.Rewrite(d.verb("ListRecords"), change=d.drop_record),
        ),
        Case(
            "an altered token still works",
            "tokens.tampered",
            d.on_call(d.resumed(*d.LISTS), d.lenient_token),
            level="warn",
        ),
        Case(
            "a token of one list works for the other",
            "tokens.cross_verb",
            d.on_call(d.resumed(*d.LISTS), d.cross_verb),
            level="warn",
        ),
        Case(
            "earliestDatestamp too late",
            "identify.earliest",
            d.Rewrite(ids, change=d.set_text("earliestDatestamp", "2024-01-04T00:00:00Z")),
        ),
        Case(
            "earliestDatestamp far too early",
            "identify.earliest_exact",
            d.Rewrite(ids, change=d.set_text("earliestDatestamp", "2001-01-01T00:00:00Z")),
            level="warn",
        ),
        Case(
            "baseURL elsewhere",
            "identify.base_url",
            d.Rewrite(ids, change=d.set_text("baseURL", "http://example.org/oai")),
        ),
        Case(
            "deletedRecord no",
            "identify.deleted_record",
            d.Rewrite(ids, change=d.set_text("deletedRecord", "no")),
        ),
        Case(
            "sampleIdentifier not served",
            "identify.sample_identifier",
            d.Rewrite(ids, change=d.description("sampleIdentifier", "oai:example.org:item/99")),
        ),
        Case(
            "repositoryIdentifier not the identifiers'",
            "identify.oai_identifier",
            d.Rewrite(ids, change=d.description("repositoryIdentifier", "other.example.org")),
            level="warn",
        ),
        Case(
            "granularity says days",
            "identify.granularity",
            d.Rewrite(ids, change=d.set_text("granularity", "YYYY-MM-DD")),
        ),
        Case(
            "invalid oai-identifier description",
            "schema.description",
            d.Rewrite(ids, change=d.description("bogus", None)),
        ),
        Case(
            "badArgument echoes the verb",
            "envelope.request",
            d.Rewrite(change=d.echo_on_bad_argument),
        ),
        Case(
            "<request> leaves out metadataPrefix",
            "envelope.request",
            d.Rewrite(lists, change=d.echo_without_prefix),
        ),
        Case(
            "<request> names another URL",
            "envelope.request_url",
            d.Rewrite(change=d.set_text("request", "http://elsewhere.example/oai")),
        ),
        Case(
            "no xsi:schemaLocation",
            "envelope.schema_location",
            d.Rewrite(change=d.no_schema_location),
        ),
        Case(
            "responseDate in 2001",
            "envelope.response_date",
            d.Rewrite(change=d.set_text("responseDate", "2001-01-01T00:00:00Z")),
            level="warn",
        ),
        Case(
            "ListSets cut short", "xml.wellformed", d.Rewrite(d.verb("ListSets"), reply=d.cut_short)
        ),
        Case("Identify in ISO-8859-1", "xml.encoding", d.Rewrite(ids, reply=d.latin1)),
        Case(
            "an element the schema lacks",
            "schema.response",
            d.Rewrite(ids, change=d.bogus_envelope),
        ),
        Case("POST refused", "http.post", d.on_call(lambda c: c.method == "POST", d.refuse_post)),
        Case(
            "gzip advertised, not sent",
            "http.compression",
            d.Rewrite(lambda c: "gzip" in c.accept_encoding, reply=d.false_gzip),
        ),
        Case(
            "503 without Retry-After",
            "http.retry_after",
            d.on_call(d.verb("ListSets"), d.first_fails(fail503, None, 1)),
        ),
        Case(
            "503 for good",
            "http.retry_after",
            d.on_call(d.verb("ListSets"), d.first_fails(fail503, "0", 100)),
        ),
        Case(
            "a deleted record carries metadata",
            "records.deleted",
            d.Rewrite(d.verb("ListRecords"), change=d.deleted_with_metadata),
        ),
        Case(
            "GetRecord shows another title",
            "records.get_record",
            d.Rewrite(d.verb("GetRecord"), change=d.other_title),
        ),
        Case(
            "ListRecords headers lose a set",
            "lists.agree",
            d.Rewrite(d.verb("ListRecords"), change=d.lose_a_set),
        ),
        Case(
            "the same token gives the next page",
            "tokens.idempotent",
            d.on_call(d.resumed(*d.LISTS), d.not_idempotent),
        ),
        Case(
            "no empty token on the last page",
            "lists.last_token",
            d.Rewrite(lists, change=d.tokens(d.drop_empty_token)),
        ),
        Case(
            "tokens expired when issued",
            "tokens.expiration",
            d.Rewrite(lists, change=d.tokens(d.expired_token)),
        ),
        Case(
            "a token that loops",
            "lists.resumption",
            d.Rewrite(d.resumed(*d.LISTS), change=d.tokens(d.loop_token)),
        ),
        Case(
            "tokens the endpoint refuses",
            "lists.resumption",
            d.Rewrite(lists, change=d.tokens(d.reversed_token)),
        ),
        Case(
            "badResumptionToken answered badArgument",
            "errors.badResumptionToken",
            d.Rewrite(change=d.recode("badResumptionToken", "badArgument")),
        ),
        Case("malformed dates ignored", "errors.badArgument", d.on_call(lists, d.ignore_bad_dates)),
        Case(
            "unknown formats served as oai_dc",
            "errors.cannotDisseminateFormat",
            d.on_call(d.prefix_other_than("oai_dc"), d.as_oai_dc),
        ),
        Case(
            "noRecordsMatch answered badArgument",
            "errors.noRecordsMatch",
            d.Rewrite(change=d.recode("noRecordsMatch", "badArgument")),
        ),
        Case(
            "no sets, set requests noRecordsMatch", "errors.noSetHierarchy", SetsAnswerNoRecords()
        ),
        Case(
            "noMetadataFormats for a live record",
            "errors.noMetadataFormats",
            d.Rewrite(d.formats_of_record, reply=d.no_formats),
        ),
        Case(
            "badResumptionToken is no ListSets error",
            "errors.allowed",
            d.Rewrite(d.verb("ListSets"), change=d.recode("badResumptionToken", "idDoesNotExist")),
        ),
        Case(
            "a record lacking a format is served in it",
            "errors.cannotDisseminateFormat",
            d.on_call(
                lambda c: c.verb == "GetRecord" and c.arg("metadataPrefix") == PART.prefix,
                d.as_oai_dc,
            ),
            aliases=[PART],
        ),
        Case(
            "ListMetadataFormats?identifier= forgets a format",
            "formats.per_record",
            d.Rewrite(d.formats_of_record, change=d.forget_part),
            aliases=[PART],
        ),
        Case(
            "oai_openaire without access rights",
            "openaire.mandatory",
            Defect(),
            aliases=[OPENAIRE_LACKING],
        ),
        Case(
            "a parent set forgets its subsets",
            "sets.hierarchy",
            d.Rewrite(d.parents, change=d.forget_subsets),
        ),
        Case(
            "set= ignored",
            "sets.membership",
            d.on_call(lambda c: c.arg("set") is not None and c.verb in d.LISTS, d.ignore_set),
        ),
        Case(
            "a set in headers missing from ListSets",
            "sets.declared",
            d.Rewrite(d.verb("ListSets"), change=d.undeclare),
            level="warn",
        ),
        Case(
            "a set listed twice",
            "sets.list",
            d.Rewrite(d.verb("ListSets"), change=d.duplicate("ListSets", "set")),
        ),
        Case(
            "a format listed twice",
            "formats.unique",
            d.Rewrite(
                lambda c: c.verb == "ListMetadataFormats" and not d.formats_of_record(c),
                change=d.duplicate("ListMetadataFormats", "metadataFormat"),
            ),
        ),
        Case(
            "oai_dc in another namespace",
            "formats.oai_dc",
            d.Rewrite(
                d.verb("ListMetadataFormats"),
                change=d.set_text("metadataNamespace", "http://example.org/not-dc/"),
            ),
        ),
        Case(
            "metadata outside its format's namespace",
            "records.namespace",
            d.Rewrite(
                d.verb("ListMetadataFormats"),
                change=d.set_text("metadataNamespace", "http://example.org/not-dc/"),
            ),
        ),
        Case(
            "seconds windows stop at midnight",
            "dates.seconds_window",
            d.on_call(d.seconds_until, d.until_midnight),
        ),
        Case(
            "from a day skips that day",
            "base.incremental",
            d.on_call(d.from_a_day_only, d.next_day),
        ),
        Case("pages of four items", "driver.batch_size", Defect(), level="warn"),
        Case("records without dc:creator", "driver.dc_mandatory", Defect(), level="warn"),
    ]


def check(url: str, schemas: Path, **options: object) -> Report:
    settings = {"schemas_dir": schemas, "offline": True, "max_sets": 2, **options}
    return run(Options(url, **settings))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Endpoint]]:
    if xsd.schemas_dir() is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    with serving(tmp_path_factory.mktemp("broken")) as served:
        yield served


@pytest.fixture
def schemas() -> Path:
    folder = xsd.schemas_dir()
    assert folder is not None
    return folder


#: The warnings the correct endpoint earns: pages of 4 items, records without dc:creator.
EXPECTED_WARNINGS = {"driver.batch_size", "driver.dc_mandatory"}


@pytest.mark.parametrize(
    ("defect", "aliases"),
    [(None, []), (WithoutSets(), []), (None, [PART, OPENAIRE])],
    ids=["plain", "without sets", "three formats"],
)
def test_a_correct_endpoint_passes(
    broken: tuple[str, Endpoint], schemas: Path, defect: Defect | None, aliases: list[Alias]
) -> None:
    url, endpoint = broken
    endpoint.reset(defect, aliases)
    report = check(url, schemas)
    assert [f for f in report.failures] == []
    assert {f.check for f in report.warnings} == EXPECTED_WARNINGS
    assert report.notes == []


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)
def test_each_defect_is_reported(broken: tuple[str, Endpoint], schemas: Path, case: Case) -> None:
    url, endpoint = broken
    endpoint.reset(case.defect, case.aliases)
    report = check(url, schemas)
    found = {(f.check, f.level) for f in report.findings}
    assert (case.check, case.level) in found, sorted(found)


def test_a_schema_not_found_is_a_warning(
    broken: tuple[str, Endpoint], schemas: Path, tmp_path: Path
) -> None:
    """A catalog with OAI-PMH.xsd alone, offline: oai_dc and oai-identifier go unvalidated."""
    (tmp_path / "catalog.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        f'<uri name="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd" uri="{schemas}/OAI-PMH.xsd"/>'
        "</catalog>"
    )
    url, endpoint = broken
    endpoint.reset()
    report = check(url, tmp_path)
    assert report.failures == []
    unavailable = [f.message for f in report.warnings if f.check == "schema.unavailable"]
    assert any("oai_dc.xsd" in m for m in unavailable)
    assert any("oai-identifier.xsd" in m for m in unavailable)
    assert report.passes["schema.response"] > 0


def test_every_check_has_a_defect_that_breaks_it() -> None:
    """Each name the checker reports is proven able to fail (or warn) by a case above,
    or by test_a_schema_not_found_is_a_warning."""
    covered = {case.check for case in cases()} | {"schema.unavailable"}
    assert covered == set(CHECKS)


def test_a_503_with_retry_after_is_waited_out(broken: tuple[str, Endpoint], schemas: Path) -> None:
    url, endpoint = broken
    endpoint.reset(d.on_call(d.verb("ListSets"), d.first_fails("503 SERVICE UNAVAILABLE", "1", 1)))
    report = check(url, schemas)
    assert report.failures == []
    assert report.passes["http.retry_after"] == 1
    listsets = [c for c in endpoint.calls if c.verb == "ListSets" and len(c.pairs) == 1]
    assert len(listsets) >= 2  # asked again after the 503


def test_one_request_at_a_time_with_the_delay_between(
    broken: tuple[str, Endpoint], schemas: Path
) -> None:
    """--delay spaces the requests: a run of N requests takes at least (N - 1) x delay."""
    import time

    url, endpoint = broken
    endpoint.reset()
    started = time.monotonic()
    check(url, schemas, delay=0.01, max_records=4, max_sets=0)
    elapsed = time.monotonic() - started
    assert elapsed >= (len(endpoint.calls) - 1) * 0.01
