"""marcxml: every record valid against MARC21slim.xsd, read back by pymarc, clean under
MARC::Lint, offered only with a title, and MARC's own rules (leader, 008, 245) kept.

The crosswalk (which article key lands in which field) is in
test_format_marcxml_crosswalk.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from oai.article import parse_article
from oai.formats import BY_PREFIX, marcxml

from . import articles, format_checks, marc
from .format_checks import HOSTILE, SEED, canonical, fixture, fixture_lines, parse

GENERATED = articles.records(300)

#: A research article with every key: the made-up values of INTERFACE.md's example.
ARTICLE: dict[str, Any] = {
    "identifier": "oai:journal.example.org:article/123",
    "metadata": {
        "title": [
            {
                "value": "The Governance of Innovation: Evidence from Regional Clusters",
                "lang": "en",
            },
            {"value": "La gouvernance de l'innovation", "lang": "fr"},
        ],
        "description": [
            {"value": "We study how regional clusters govern innovation.", "lang": "en"},
            {"value": "Nous étudions la gouvernance de l'innovation.", "lang": "fr"},
        ],
        "subject": ["innovation policy", "regional clusters"],
        "language": ["en"],
        "publisher": ["Example University Press"],
        "authors": [
            {
                "family": "Carberry",
                "given": "Josiah",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
                "affiliations": [
                    {"name": "An Example University", "ror": "https://ror.org/05gq02987"}
                ],
            },
            {"family": "Müller", "given": "Anna"},
            {"name": "An Organisation as author"},
        ],
        "journal": "Journal of Examples",
        "issn": "0317-8471",
        "eissn": "2049-3630",
        "volume": "37",
        "issue": "2",
        "pages": "69-87",
        "section": "Original Articles",
        "published": "2021-06-30",
        "article_type": "research-article",
        "version": "accepted",
        "doi": "10.5555/12345678",
        "url": "https://journal.example.org/article/123",
        "files": [
            {"url": "https://journal.example.org/article/123.pdf", "mime": "application/pdf"}
        ],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "access": "embargoed",
        "embargo_until": "2027-01-01",
        "funding": [
            {
                "funder": "Economic and Social Research Council",
                "funder_id": "https://doi.org/10.13039/501100000269",
                "award": "ES/X000000/1",
                "award_title": "Regional innovation systems",
            }
        ],
    },
}

#: A book review with the work it reviews.
REVIEW: dict[str, Any] = {
    "identifier": "oai:journal.example.org:review/7",
    "metadata": {
        "title": [{"value": "Counting the Cost of Climate Policy", "lang": "en"}],
        "language": ["en"],
        "publisher": ["Example University Press"],
        "authors": [{"family": "Smith", "given": "J. R."}],
        "journal": "Journal of Examples",
        "eissn": "2049-3630",
        "volume": "38",
        "issue": "1",
        "pages": "108-110",
        "published": "2022",
        "article_type": "book-review",
        "url": "https://journal.example.org/review/7",
        "license": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
        "access": "open",
        "reviewed": {
            "title": "False Alarm",
            "authors": [{"family": "Lomborg", "given": "Bjørn"}],
            "publisher": "Basic Books",
            "year": "2020",
            "isbn": "9781541647466",
        },
    },
}


def _render(line: dict[str, Any]) -> str:
    xml = marc.render(line["identifier"], line["metadata"])
    assert xml is not None, f"{line['identifier']} was declined"
    return xml


def _assert_clean(line: dict[str, Any]) -> None:
    xml = _render(line)
    assert marc.schema_errors(xml) is None, (line["identifier"], marc.schema_errors(xml))
    warnings = marc.lint(marc.record(xml))
    assert warnings == [], (line["identifier"], warnings)


# -- validity: schema, pymarc, MARC::Lint ------------------------------------------


def test_the_format_is_registered_as_interface_md_names_it() -> None:
    fmt = BY_PREFIX["marcxml"]
    assert fmt.namespace == "http://www.loc.gov/MARC21/slim"
    assert fmt.schema == "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
    assert fmt.version == 2 and fmt.requires and fmt.title


@pytest.mark.parametrize("line", fixture_lines(), ids=lambda line: line["identifier"])
def test_every_fixture_record_is_offered_valid_and_lint_clean(line: dict[str, Any]) -> None:
    _assert_clean(line)


def test_all_generated_records_are_valid_and_lint_clean() -> None:
    for line in GENERATED:
        _assert_clean(line)


def test_hand_written_records_are_valid_and_lint_clean() -> None:
    _assert_clean(ARTICLE)
    _assert_clean(REVIEW)


def test_the_schema_and_the_linter_reject_what_ojs_writes() -> None:
    """Both checks really run: an instance OJS's template would write fails each of them."""
    xml = _render(ARTICLE)
    assert marc.schema_errors(xml) is None
    broken = {
        "ind1 '#'": xml.replace('tag="245" ind1="1"', 'tag="245" ind1="#"'),
        "dataField": xml.replace("<datafield", "<dataField").replace(
            "</datafield>", "</dataField>"
        ),
        "subfield label": xml.replace('<subfield code="a">', '<subfield label="a">', 1),
        "short leader": xml.replace(marcxml.LEADER, marcxml.LEADER[:-1]),
        "field without subfield": xml.replace(
            "</record>", '<datafield tag="500" ind1=" " ind2=" "/></record>'
        ),
    }
    for what, instance in broken.items():
        assert marc.schema_errors(instance) is not None, f"{what} passed MARC21slim.xsd"
    unpunctuated = xml.replace("Josiah Carberry, Anna Müller, An Organisation as author.", "x")
    assert marc.lint(marc.record(unpunctuated)), "MARC::Lint accepted a 245 without a period"


# -- expected documents ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("seed", fixture(SEED)),
        ("article", ARTICLE),
        ("book-review", REVIEW),
    ],
)
def test_the_record_is_the_reviewed_expected_document(name: str, line: dict[str, Any]) -> None:
    expected = format_checks.expected("marcxml", name)
    assert canonical(parse(_render(line))) == canonical(expected)


def test_the_seed_is_the_fixture_article_without_author_doi_or_date() -> None:
    seed = fixture(SEED)
    assert not {"authors", "doi", "published"} & set(seed["metadata"])


# -- availability ------------------------------------------------------------------

OFFERED = [
    ("a title alone", {"title": ["Only a title"]}),
    ("a blank title before a real one", {"title": ["  ", "The real title"]}),
    ("bare Dublin Core", {"title": ["T"], "creator": ["Smith, Ana"], "date": ["2020"]}),
    ("every article key", ARTICLE["metadata"]),
]
DECLINED = [
    ("no title: MARC needs 245 $a", {"description": ["An abstract, no title."]}),
    ("an empty title", {"title": [""]}),
    ("a blank title", {"title": [" \t\n "]}),
    ("article keys but no title", {"journal": "J", "doi": "10.5555/1", "url": "https://x.org/1"}),
]


@pytest.mark.parametrize(("why", "metadata"), OFFERED, ids=[row[0] for row in OFFERED])
def test_a_record_with_a_title_is_offered(why: str, metadata: dict[str, Any]) -> None:
    xml = marc.render("oai:x:1", metadata)
    assert xml is not None
    assert marc.schema_errors(xml) is None


@pytest.mark.parametrize(("why", "metadata"), DECLINED, ids=[row[0] for row in DECLINED])
def test_a_record_without_a_title_is_declined(why: str, metadata: dict[str, Any]) -> None:
    assert marc.render("oai:x:1", metadata) is None


# -- MARC's rules beyond the schema ------------------------------------------------


def _all_records() -> list[tuple[dict[str, Any], Any]]:
    lines = fixture_lines() + GENERATED + [ARTICLE, REVIEW]
    return [(line, marc.record(_render(line))) for line in lines]


#: MARC language codes of the languages the fixtures and generated records use.
MARC_LANGUAGES = {"en": "eng", "fr": "fre", "de": "ger", "pt": "por", "es": "spa"}


def test_leader_is_a_serial_component_part_in_unicode_with_isbd_punctuation() -> None:
    for _, rec in _all_records():
        leader = str(rec.leader)
        assert len(leader) == 24
        assert leader[5] == "n"  # new
        assert leader[6:8] == "ab"  # language material, serial component part
        assert leader[9] == "a"  # UCS/Unicode
        assert leader[10:12] == "22" and leader[20:24] == "4500"
        assert leader[17] == "3"  # abbreviated level: no 040, no date entered on file
        assert leader[18] == "i"  # ISBD punctuation included


def test_008_agrees_with_the_publication_date_264_and_the_language() -> None:
    for line, rec in _all_records():
        metadata = line["metadata"]
        fixed = marc.control(rec, "008")
        assert fixed is not None and len(fixed) == 40, line["identifier"]
        assert fixed[:6] == "      "  # date entered on file: not known to the renderer
        assert fixed[15:18] == "xx "  # no place of publication in the record
        assert fixed[39] == "d"
        published = metadata.get("published")
        if published is None:
            assert fixed[6:15] == "nuuuuuuuu"
            assert marc.values(rec, "264", "c") == []
        else:
            year = published[:4]
            assert fixed[7:11] == year
            assert marc.values(rec, "264", "c") == [f"{year}."]
            parts = published.split("-")
            if len(parts) == 1:
                assert fixed[6] + fixed[11:15] == "s    "
            else:
                day = parts[2] if len(parts) == 3 else "uu"
                assert fixed[6] + fixed[11:15] == f"e{parts[1]}{day}"
        languages = metadata.get("language", [])
        assert fixed[35:38] == (MARC_LANGUAGES[languages[0]] if languages else "   ")


def test_006_007_and_008_23_say_online_exactly_when_there_is_a_url_or_a_file() -> None:
    for line, rec in _all_records():
        online = "url" in line["metadata"] or "files" in line["metadata"]
        fixed = marc.control(rec, "008")
        assert fixed is not None
        assert fixed[23] == ("o" if online else "|")
        assert marc.control(rec, "006") == ("m     o  d |      " if online else None)
        assert marc.control(rec, "007") == ("cr |||||||||||" if online else None)
        assert marc.values(rec, "338", "b") == (["cr"] if online else [])


def test_structure_a_harvester_relies_on() -> None:
    for line, rec in _all_records():
        tags = [field.tag for field in rec.get_fields()]
        hundreds = [tag[0] for tag in tags]
        assert hundreds == sorted(hundreds), f"fields out of order: {tags}"
        assert sum(tag.startswith("1") for tag in tags) <= 1
        assert tags.count("245") == 1
        assert "022" not in tags, "the journal's ISSN is 773 $x, never the record's own 022"
        for field in rec.get_fields():
            if not field.is_control_field():
                assert all(ind in " 0123456789" for ind in field.indicators), field
                assert all(sub.value.strip() for sub in field.subfields), field
        for field in rec.get_fields("773"):
            assert len(field.get_subfields("x")) <= 1  # $x is not repeatable
        assert marc.control(rec, "001") == line["identifier"]


#: (title, language, authors) -> 245 indicators and subfields, as a cataloguer writes them.
TITLES = [
    ("The Thing", "en", ["Ana Smith"], ("1", "4"), [("a", "The Thing /"), ("c", "Ana Smith.")]),
    ("The Thing", "en", [], ("0", "4"), [("a", "The Thing.")]),
    ("Cities: A History", "en", [], ("0", "0"), [("a", "Cities :"), ("b", "A History.")]),
    ("Why Now?", "en", [], ("0", "0"), [("a", "Why Now?.")]),
    ("L'homme", "fr", [], ("0", "2"), [("a", "L'homme.")]),
    ("Die Zeit", "de", [], ("0", "4"), [("a", "Die Zeit.")]),
    ("Das Kapital", "en", [], ("0", "0"), [("a", "Das Kapital.")]),
    ("A priori reasoning", "en", [], ("0", "0"), [("a", "A priori reasoning.")]),
    ("Los Angeles today", "es", [], ("0", "0"), [("a", "Los Angeles today.")]),
    ("Una historia", "es", [], ("0", "4"), [("a", "Una historia.")]),
    ('"The Real" Thing', "en", [], ("0", "5"), [("a", '"The Real" Thing.')]),
    ("The", "en", [], ("0", "0"), [("a", "The.")]),
    ("The end", None, [], ("0", "0"), [("a", "The end.")]),
    (
        "Title: sub",
        "en",
        ["J. R. Smith", "Ana Li"],
        ("1", "0"),
        [("a", "Title :"), ("b", "sub /"), ("c", "J.R. Smith, Ana Li.")],
    ),
]


@pytest.mark.parametrize(
    ("title", "lang", "names", "indicators", "subfields"),
    TITLES,
    ids=[f"{row[0]}|{row[1]}|{len(row[2])}" for row in TITLES],
)
def test_245_indicators_and_isbd_punctuation(
    title: str,
    lang: str | None,
    names: list[str],
    indicators: tuple[str, str],
    subfields: list[tuple[str, str]],
) -> None:
    metadata: dict[str, Any] = {"title": [{"value": title, "lang": lang} if lang else title]}
    if names:
        metadata["authors"] = [
            {"family": name.rsplit(" ", 1)[1], "given": name.rsplit(" ", 1)[0]} for name in names
        ]
    if lang:
        metadata["language"] = [lang]
    xml = marc.render("oai:x:1", metadata)
    assert xml is not None
    rec = marc.record(xml)
    (field,) = rec.get_fields("245")
    assert (field.indicator1, field.indicator2) == indicators
    assert [(sub.code, sub.value) for sub in field.subfields] == subfields
    assert marc.lint(rec) == []


# -- hostile text ------------------------------------------------------------------


def test_hostile_text_stays_escaped_on_one_line_and_valid() -> None:
    metadata = {
        "title": [{"value": HOSTILE, "lang": "en"}],
        "description": [HOSTILE, "word " * 40_000],
        "subject": [HOSTILE],
        "publisher": [HOSTILE],
        "authors": [{"family": HOSTILE, "given": HOSTILE, "affiliations": [{"name": HOSTILE}]}],
        "journal": HOSTILE,
        "volume": HOSTILE,
        "section": HOSTILE,
        "funding": [{"funder": HOSTILE, "award": HOSTILE}],
        "reviewed": {"title": HOSTILE, "publisher": HOSTILE},
    }
    xml = marc.render("oai:x:<&>", metadata)
    assert xml is not None
    assert marc.schema_errors(xml) is None
    rec = marc.record(xml)
    assert marc.lint(rec) == []
    assert marc.control(rec, "001") == "oai:x:<&>"
    title = marc.values(rec, "245", "a")[0]
    assert title.startswith("<a & b> ]]> \"q\" 'a' \ufffd")  # the line break became a space
    assert "\x00" not in xml and "\n" not in title and "Ø 李 \U0001f600" in title
    assert marc.values(rec, "520", "a")[1] == ("word " * 40_000).strip()
    assert all(
        "\t" not in sub.value
        for f in rec.get_fields()
        if not f.is_control_field()
        for sub in f.subfields
    )


def test_markup_in_a_title_is_text() -> None:
    xml = marc.render("oai:x:1", {"title": ["<i>in vivo</i> & E = mc² > 1"]})
    assert xml is not None
    assert "&lt;i&gt;in vivo&lt;/i&gt; &amp; E = mc² &gt; 1." in xml
    assert parse(xml).find(".//m:subfield/m:i", marc.NS) is None


def test_an_article_parsed_once_renders_the_same_bytes_twice() -> None:
    article = parse_article(ARTICLE["identifier"], ARTICLE["metadata"])
    assert marcxml.render(article) == marcxml.render(article)
