"""The importers' small rules as tables: identifiers as sources write them, dates, pages,
licence and embargo decisions, markup as text, slugs and record identifiers."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from oai.importers import access, flatten, values
from oai.importers.records import Imported, Records, slug


@pytest.mark.parametrize(
    ("function", "given", "expected"),
    [
        (
            values.orcid,
            "http://orcid.org/0000-0002-1825-0097",
            "https://orcid.org/0000-0002-1825-0097",
        ),
        (values.orcid, "0000000218250097", "https://orcid.org/0000-0002-1825-0097"),
        (values.orcid, " orcid.org/0000-0000-4242-4240 ", "https://orcid.org/0000-0000-4242-4240"),
        (values.ror, "05gq02987", "https://ror.org/05gq02987"),
        (values.ror, "http://ror.org/05GQ02987/", "https://ror.org/05gq02987"),
        (values.doi, "https://doi.org/10.5555/ABC", "10.5555/ABC"),
        (values.doi, "doi:10.5555/x.y", "10.5555/x.y"),
        (values.doi, "http://dx.doi.org/10.5555/1", "10.5555/1"),
        (values.funder_id, "10.13039/501100000269", "https://doi.org/10.13039/501100000269"),
        (
            values.funder_id,
            "http://dx.doi.org/10.13039/100000001",
            "https://doi.org/10.13039/100000001",
        ),
        (values.funder_id, "ror.org/05gq02987", "https://ror.org/05gq02987"),
        (values.issn, "12345679", "1234-5679"),
        (values.issn, "1000-002x", "1000-002X"),
        (values.page_range, "69–87", "69-87"),
        (values.page_range, "69 - 87", "69-87"),
        (values.page_range, "e1234", "e1234"),
        (values.iso_date, "2024-06-30T12:00:00Z", "2024-06-30"),
    ],
)
def test_identifiers_as_sources_write_them(function: object, given: str, expected: str) -> None:
    assert function(given) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("function", "given"),
    [
        (values.orcid, "https://orcid.org/0000-0002-1825-0098"),
        (values.orcid, "Josiah Carberry"),
        (values.ror, "https://ror.org/05gq02988"),
        (values.doi, "https://example.org/10.5555/x"),
        (values.funder_id, "National Science Foundation"),
        (values.issn, "1234-5678"),
        (values.page_range, "12.5"),
        (values.page_range, "1 2"),
        (values.iso_date, "2024-13-01"),
    ],
)
def test_values_that_are_not_what_they_claim(function: object, given: str) -> None:
    with pytest.raises(ValueError):
        function(given)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("2024", "06", "30"), "2024-06-30"),
        (("2024", "6", None), "2024-06"),
        (("2024", "Jun", "3"), "2024-06-03"),
        (("2024", "21", "1"), "2024"),  # Crossref's spring: a season, not a month
        (("2024", None, "5"), "2024"),
        ((None, "06", "30"), None),
        (("2024", "", ""), "2024"),
    ],
)
def test_partial_dates(
    parts: tuple[str | None, str | None, str | None], expected: str | None
) -> None:
    assert values.partial_date(*parts) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [("69", "87", "69-87"), ("5", "5", "5"), ("S1", None, "S1"), (None, "9", None)],
)
def test_pages(first: str | None, last: str | None, expected: str | None) -> None:
    assert values.pages(first, last) == expected


TODAY = date(2026, 1, 1)
CC = "https://creativecommons.org/licenses/by/4.0/"
OWN = "https://publisher.example.org/licence"
L = access.Licence
F = access.FreeToRead


@pytest.mark.parametrize(
    ("licences", "free", "published", "stated_open", "expected"),
    [
        ([], [], "2024", False, access.Rights()),
        ([L(OWN)], [], "2024", False, access.Rights(OWN)),
        ([L(CC, version="vor")], [], "2024", False, access.Rights(CC, "open")),
        ([L(CC, version="am")], [], "2024", False, access.Rights()),
        ([L(CC, version="tdm"), L(OWN, version="vor")], [], "2024", False, access.Rights(OWN)),
        ([L(OWN)], [F()], "2024", False, access.Rights(OWN, "open")),
        # Crossref's embargo: a proprietary licence, then an open one from a later date.
        (
            [L(OWN, "2024-02-03"), L(CC, "2030-02-03")],
            [],
            "2024-02-03",
            False,
            access.Rights(CC, "embargoed", "2030-02-03"),
        ),
        # ... whose date has passed: open now.
        (
            [L(OWN, "2024-02-03"), L(CC, "2025-02-03")],
            [],
            "2024-02-03",
            False,
            access.Rights(CC, "open"),
        ),
        # An open licence from a publication still to come is not an embargo.
        ([L(CC, "2027-05-01")], [], "2027-05", False, access.Rights(CC, "open")),
        ([L(CC, "2027-05-01")], [], "2027", False, access.Rights(CC, "open")),
        ([], [F("2031-01-01")], "2025", False, access.Rights(None, "embargoed", "2031-01-01")),
        ([], [F(None, "2026-06-01")], "2025", False, access.Rights()),  # free for a while only
        ([L(OWN)], [], "2025", True, access.Rights(OWN, "open")),  # JATS license-type open-access
    ],
)
def test_access_decisions(
    licences: list[access.Licence],
    free: list[access.FreeToRead],
    published: str,
    stated_open: bool,
    expected: access.Rights,
) -> None:
    assert access.decide(licences, free, published, TODAY, stated_open) == expected


MML = 'xmlns:m="http://www.w3.org/1998/Math/MathML"'


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<t>CO<sub>2</sub> and m<sup>3</sup> and x<sup>a+b</sup></t>", "CO₂ and m³ and xa+b"),
        ("<t><italic>Homo</italic>  <bold>sapiens</bold>\n here</t>", "Homo sapiens here"),
        (
            f"<t {MML}><m:math alttext='a^2'>"
            "<m:msup><m:mi>a</m:mi><m:mn>2</m:mn></m:msup></m:math></t>",
            "a^2",
        ),
        (f"<t {MML}><m:math><m:msup><m:mi>a</m:mi><m:mi>k</m:mi></m:msup></m:math></t>", "a^k"),
        (
            f"<t {MML}><m:math><m:msub><m:mi>x</m:mi>"
            "<m:mrow><m:mi>i</m:mi><m:mo>+</m:mo><m:mn>1</m:mn></m:mrow></m:msub></m:math></t>",
            "x_(i+1)",
        ),
        (f"<t {MML}><m:math><m:mroot><m:mi>x</m:mi><m:mn>3</m:mn></m:mroot></m:math></t>", "³√x"),
        (
            f"<t {MML}><m:math><m:semantics><m:mi>y</m:mi>"
            "<m:annotation>TeX</m:annotation></m:semantics></m:math></t>",
            "y",
        ),
        ("<t><inline-formula><tex-math>\\alpha</tex-math></inline-formula></t>", "\\alpha"),
        ("<t>Title<xref ref-type='fn' rid='f1'>*</xref></t>", "Title"),
        ("<t><label>1</label>Text<fn><p>note</p></fn></t>", "Text"),
        ("<t><title>Abstract</title><p>One.</p><p>Two.</p></t>", "One.\n\nTwo."),
        (
            "<t><sec><title>Aims</title><p>To.</p></sec><list><list-item><p>a</p></list-item></list></t>",
            "Aims\n\nTo.\n\na",
        ),
    ],
)
def test_markup_as_text(markup: str, expected: str) -> None:
    assert flatten.text_of(etree.fromstring(markup), skip_heading=True) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Prometheus", "prometheus"),
        ("Revue d’Études Imaginaires", "revue-d-etudes-imaginaires"),
        ("Łódź Ørsted Straße", "lodz-orsted-strasse"),
        ("Журнал", ""),
        ("A " * 40, "a-" * 29 + "a"),
    ],
)
def test_slugs(title: str, expected: str) -> None:
    assert slug(title) == expected


@pytest.mark.parametrize(
    ("metadata", "local_id", "identifier", "sets"),
    [
        (
            {"doi": "10.5555/ABC<1>", "journal": "Prometheus"},
            None,
            "oai:ex.org:doi/10.5555/abc%3C1%3E",
            ["journal:prometheus"],
        ),
        (
            {"journal": "J of X", "section": "Book Reviews"},
            "br 7/1",
            "oai:ex.org:jats/j-of-x/br%207/1",
            ["journal:j-of-x:book-reviews"],
        ),
        (
            {"journal": "Журнал", "issn": "1000-002X"},
            "a1",
            "oai:ex.org:jats/issn-1000-002x/a1",
            ["journal:issn-1000-002x"],
        ),
        ({"title": ["T"]}, "file-name", "oai:ex.org:jats/file-name", []),
    ],
)
def test_identifiers_and_sets(
    metadata: dict[str, object], local_id: str | None, identifier: str, sets: list[str]
) -> None:
    record = Records("ex.org").record(Imported("f:1", dict(metadata), local_id))
    assert record["identifier"] == identifier
    assert record["sets"] == sets
