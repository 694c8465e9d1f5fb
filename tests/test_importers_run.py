"""``oai import`` end to end: every sample imported through the command, then harvested
through the app in every format the repository offers, with each record's facts checked
in each (tests/formatfacts.py says where each format shows them). Then the load's
guarantees: a reimport changes nothing, datestamps included; a corrected file updates
exactly the record it corrects; a dry run writes nothing and reports the real counts;
a bad item anywhere loads nothing; set declarations keep what ``oai load`` gave them.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from oai import create_app
from oai.cli import main
from oai.formats import FORMATS

from . import storedump, xsd
from .formatfacts import READERS, disagreements

SAMPLES = Path(__file__).parent / "import_samples"
CROSSREF = [
    SAMPLES / name
    for name in (
        "crossref-4.4.2.xml",
        "crossref-5.3.1.xml",
        "crossref-work.json",
        "crossref-works.json",
        "crossref-works.jsonl",
    )
]
OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ID = "oai:journals.example.org:"

JoE = {"journal": "Journal of Examples", "issn": "1234-5679"}
REI = {"journal": "Revue d’Études Imaginaires", "issn": "2468-0249"}
SIT = {"journal": "Studies in Invented Things", "issn": "8080-8085"}

#: Every record the samples make -> its facts, as the sample files state them.
RECORDS: dict[str, dict[str, str]] = {
    ID + "doi/10.5555/examples.37.2.69": {
        "doi": "10.5555/Examples.37.2.69",
        "title": "Growth of Escherichia coli at CO₂ levels: A field study",
        "first_author": "Carberry, Josiah",
        **JoE,
        "volume": "37",
        "pages": "69-87",
    },
    ID + "doi/10.5555/examples.37.2.e1234": {
        "doi": "10.5555/examples.37.2.e1234",
        "title": "Embargoed until the licence opens",
        "first_author": "da Silva, Ana",
        **JoE,
        "volume": "37",
        "pages": "e1234",
    },
    ID + "doi/10.5555/rei.12.3.101": {
        "doi": "10.5555/rei.12.3.101",
        "title": "L’équation E = mc^2 revisitée",
        "first_author": "Ørsted, Chloé",
        **REI,
        "volume": "12",
        "pages": "101",
    },
    ID + "doi/10.5555/rei.12.3.120": {
        "doi": "10.5555/rei.12.3.120",
        "title": "Rectificatif",
        "first_author": "La rédaction",
        **REI,
        "volume": "12",
    },
    ID + "doi/10.5555/examples.37.2.88": {
        "doi": "10.5555/examples.37.2.88",
        "title": "Counting Drosophila in p < 0.05 land",
        "first_author": "Müller, Bjørn",
        **JoE,
        "volume": "37",
        "pages": "88-99",
    },
    ID + "doi/10.5555/examples.38.1.1": {
        "doi": "10.5555/examples.38.1.1",
        "title": "Editorial: a new volume",
        "first_author": "Łukasz, Amélie",
        **JoE,
        "volume": "38",
        "pages": "1-2",
    },
    ID + "doi/10.5555/examples.38.1.3": {
        "doi": "10.5555/examples.38.1.3",
        "title": "Retraction note",
        "first_author": "The Editors",
        **JoE,
        "volume": "38",
        "pages": "3",
    },
    ID + "doi/10.5555/examples.38.1.5": {
        "doi": "10.5555/examples.38.1.5",
        "title": "Letters to nobody",
        "first_author": "Smith, Chloé",
        **JoE,
        "volume": "38",
        "pages": "5-9",
    },
    ID + "doi/10.5555/examples.38.1.10": {
        "doi": "10.5555/examples.38.1.10",
        "title": "A second letter",
        "first_author": "Nakamura, Hiro",
        **JoE,
        "volume": "38",
        "pages": "10-12",
    },
    ID + "doi/10.5555/sit.2023.42": {
        "doi": "10.5555/sit.2023.42",
        "title": "The flux of H₂ in dreams: Measurements at night",
        "first_author": "Ñúñez, María José",
        **SIT,
        "volume": "7",
        "pages": "201-219",
    },
    ID + "jats/journal-of-examples/br%202024/07": {
        "title": "Review of Imaginary Numbers in Real Life",
        "first_author": "Łukasz, Zoë",
        **JoE,
        "volume": "37",
        "pages": "120-121",
    },
    ID + "doi/10.5555/rei.13.1.e1": {
        "doi": "10.5555/REI.13.1.E1",
        "title": "Éditorial : treize ans",
        "first_author": "Dupont-Ñandú, Amélie",
        **REI,
        "volume": "13",
        "pages": "e1",
    },
    ID + "jats/studies-in-invented-things/untitled-ish": {
        "title": "In memoriam: A. Nobody",
        "journal": "Studies in Invented Things",
    },
}

#: Dublin Core the oai_dc record shows, given or derived, for a few records.
DUBLIN_CORE: dict[str, dict[str, list[str]]] = {
    ID + "doi/10.5555/examples.37.2.69": {
        "identifier": [
            "https://journal.example.org/article/69",
            "https://doi.org/10.5555/Examples.37.2.69",
        ],
        "date": ["2024-05-15"],
        "format": ["application/pdf", "text/xml"],
        "rights": [
            "https://creativecommons.org/licenses/by/4.0/",
            "info:eu-repo/semantics/openAccess",
        ],
        "creator": ["Carberry, Josiah", "Ñúñez-Łukasz, Zoë", "The Example Consortium"],
    },
    ID + "doi/10.5555/examples.37.2.e1234": {
        "date": ["2024-06-01"],
        "contributor": ["Nakamura, Hiro"],
        "rights": [
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "info:eu-repo/semantics/embargoedAccess",
        ],
    },
    ID + "doi/10.5555/rei.12.3.101": {
        "language": ["fr"],
        "description": ["Nous mesurons H₂O et m² avec a/(b+1).", "We measure water."],
    },
    ID + "jats/journal-of-examples/br%202024/07": {
        "type": ["info:eu-repo/semantics/review", "info:eu-repo/semantics/publishedVersion"],
        "publisher": ["Example Press"],
    },
}

#: setSpec -> setName the import declares.
SETS = {
    "journal": "Journals",
    "journal:journal-of-examples": "Journal of Examples",
    "journal:journal-of-examples:book-reviews": "Book Reviews",
    "journal:revue-d-etudes-imaginaires": "Revue d’Études Imaginaires",
    "journal:studies-in-invented-things": "Studies in Invented Things",
    "journal:studies-in-invented-things:original-articles": "Original Articles",
}

COUNTS = re.compile(
    r"^(?:imported (\d+) articles from (\d+) files?: |dry run, nothing written: (\d+) articles "
    r"from (\d+) files? would be )(\d+) added, (\d+) updated, (\d+) unchanged, "
    r"(\d+) set declarations(?:; skipped .*)?$"
)


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every command and request of the test on one database, as a user's shell would be."""
    monkeypatch.setenv("OAI_DATABASE_URL", database_url)
    monkeypatch.setenv("OAI_SECRET_KEY", "import-secret")
    monkeypatch.setenv("OAI_REPOSITORY_IDENTIFIER", "journals.example.org")
    return database_url


def oai(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def counts(result: Result) -> dict[str, int]:
    """articles, files, added, updated, unchanged, sets from the one line an import prints."""
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    match = COUNTS.match(lines[0])
    assert match, lines[0]
    numbers = [int(group) for group in match.groups() if group is not None]
    names = ("articles", "files", "added", "updated", "unchanged", "sets")
    return dict(zip(names, numbers, strict=True))


def import_all() -> tuple[dict[str, int], dict[str, int]]:
    return (
        counts(oai("import", "crossref", *map(str, CROSSREF))),
        counts(oai("import", "jats", str(SAMPLES / "jats"))),
    )


def parse(body: bytes) -> etree._Element:
    """The response, validated against the schemas when they are here, else parsed strictly."""
    if xsd.schemas_dir() is not None:
        return xsd.validate(body)
    return etree.fromstring(body, xsd.strict_parser())


def request(**args: str) -> etree._Element:
    app = create_app()
    try:
        response = app.test_client().get("/oai", query_string=args)
        assert response.status_code == 200
        return parse(response.data)
    finally:
        app.extensions["oai"].close()


def metadata_element(identifier: str, prefix: str) -> etree._Element:
    root = request(verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
    metadata = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata")
    assert metadata is not None, etree.tostring(root)
    return metadata[0]


def datestamps() -> dict[str, str]:
    stamps = {}
    for identifier in RECORDS:
        root = request(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        stamps[identifier] = root.findtext(f".//{OAI}header/{OAI}datestamp") or ""
    return stamps


def next_second() -> None:
    time.sleep(1.05 - time.time() % 1)


def test_every_record_in_every_format_shows_its_facts(db: str) -> None:
    crossref, jats = import_all()
    assert crossref == {
        "articles": 9,
        "files": 5,
        "added": 9,
        "updated": 0,
        "unchanged": 0,
        "sets": 3,
    }
    assert jats == {"articles": 4, "files": 4, "added": 4, "updated": 0, "unchanged": 0, "sets": 3}
    offered = [
        element.findtext(f"{OAI}metadataPrefix")
        for element in request(verb="ListMetadataFormats").iter(f"{OAI}metadataFormat")
    ]
    assert offered == [fmt.prefix for fmt in FORMATS]
    unknown = set(offered) - set(READERS)
    assert not unknown, f"tests/formatfacts.py has no row for {unknown}"
    problems = []
    for identifier, facts in RECORDS.items():
        root = request(verb="ListMetadataFormats", identifier=identifier)
        prefixes = [element.text for element in root.iter(f"{OAI}metadataPrefix")]
        assert "oai_dc" in prefixes
        for prefix in prefixes:
            assert prefix is not None
            problems += [
                f"{identifier}: {problem}"
                for problem in disagreements(prefix, metadata_element(identifier, prefix), facts)
            ]
    assert problems == []


@pytest.mark.parametrize("identifier", sorted(DUBLIN_CORE))
def test_dublin_core_given_and_derived(db: str, identifier: str) -> None:
    import_all()
    dc = metadata_element(identifier, "oai_dc")
    for name, expected in DUBLIN_CORE[identifier].items():
        assert [element.text for element in dc.iter(f"{DC}{name}")] == expected, name


def test_sets_are_the_journals_and_their_sections(db: str) -> None:
    import_all()
    root = request(verb="ListSets")
    found = {
        element.findtext(f"{OAI}setSpec"): element.findtext(f"{OAI}setName")
        for element in root.iter(f"{OAI}set")
    }
    assert found == SETS
    review = request(
        verb="GetRecord",
        identifier=ID + "jats/journal-of-examples/br%202024/07",
        metadataPrefix="oai_dc",
    )
    specs = [element.text for element in review.iter(f"{OAI}setSpec")]
    assert specs == [
        "journal",
        "journal:journal-of-examples",
        "journal:journal-of-examples:book-reviews",
    ]


def test_reimport_changes_nothing_datestamps_included(db: str) -> None:
    import_all()
    before = storedump.snapshot(db)
    next_second()
    crossref, jats = import_all()
    assert (crossref["unchanged"], crossref["added"], crossref["updated"]) == (9, 0, 0)
    assert (jats["unchanged"], jats["added"], jats["updated"]) == (4, 0, 0)
    assert storedump.snapshot(db) == before


def test_a_corrected_file_updates_exactly_the_corrected_record(db: str, tmp_path: Path) -> None:
    import_all()
    stamps = datestamps()
    next_second()
    corrected = tmp_path / "crossref-4.4.2.xml"
    text = (SAMPLES / "crossref-4.4.2.xml").read_text("utf-8")
    corrected.write_text(
        text.replace("Embargoed until the licence opens", "Embargoed until 2040"), "utf-8"
    )
    found = counts(oai("import", "crossref", str(corrected)))
    assert (found["added"], found["updated"], found["unchanged"]) == (0, 1, 1)
    changed = ID + "doi/10.5555/examples.37.2.e1234"
    after = datestamps()
    assert {identifier for identifier in RECORDS if after[identifier] != stamps[identifier]} == {
        changed
    }
    assert metadata_element(changed, "oai_dc").findtext(f"{DC}title") == "Embargoed until 2040"


def test_dry_run_writes_nothing_and_reports_the_real_counts(db: str, tmp_path: Path) -> None:
    counts(oai("import", "crossref", str(CROSSREF[0])))
    corrected = tmp_path / "corrected.xml"
    corrected.write_text(
        CROSSREF[0].read_text("utf-8").replace("A field study", "A field study, corrected"), "utf-8"
    )
    before = storedump.snapshot(db)
    dry = counts(oai("import", "crossref", "--dry-run", str(corrected), *map(str, CROSSREF[1:])))
    assert dry == {"articles": 9, "files": 5, "added": 7, "updated": 1, "unchanged": 1, "sets": 1}
    assert storedump.snapshot(db) == before
    real = counts(oai("import", "crossref", str(corrected), *map(str, CROSSREF[1:])))
    assert real == dry


@pytest.mark.parametrize(
    ("bad", "line"),
    [
        ('{"type": "journal-article", "DOI": "10.5555/ok", "title": ["Fine"]}\n{"DOI": 5}\n', 2),
        # Not a whole value on its first line, so one document: it ends where JSON stops.
        ('{"type": "journal-article", "DOI": "10.5555/ok", "title": ["T"], "ISSN": 1,\n', 2),
        ('{"type": "journal-article", "DOI": "10.5555/ok", "title": ["T"], "page": "1.5"}\n', 1),
    ],
    ids=["bad-line", "bad-json", "bad-value"],
)
def test_a_bad_item_anywhere_loads_nothing(
    db: str, tmp_path: Path, bad: str, line: int | None
) -> None:
    counts(oai("import", "jats", str(SAMPLES / "jats")))
    before = storedump.snapshot(db)
    path = tmp_path / "works.jsonl"
    path.write_text(bad, "utf-8")
    result = oai("import", "crossref", *map(str, CROSSREF), str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {path}:{line}:" if line else f"Error: {path}"), lines[0]
    assert "Traceback" not in result.output
    assert storedump.snapshot(db) == before


def test_the_same_article_twice_in_one_import_is_an_error(db: str, tmp_path: Path) -> None:
    copy = tmp_path / "again.jsonl"
    copy.write_text((SAMPLES / "crossref-works.jsonl").read_text("utf-8"), "utf-8")
    result = oai("import", "crossref", str(SAMPLES / "crossref-works.jsonl"), str(copy))
    assert result.exit_code == 1
    message = result.output.strip()
    assert message.startswith(f"Error: {copy}:1: 10.5555/examples.38.1.5: ")
    assert "already in this import, at" in message and "crossref-works.jsonl:1" in message


def test_standard_input(db: str) -> None:
    text = (SAMPLES / "crossref-work.json").read_text("utf-8")
    found = counts(oai("import", "crossref", "-", input=text))
    assert (found["articles"], found["files"], found["added"]) == (1, 1, 1)


@pytest.mark.parametrize("command", ["crossref", "jats"])
def test_a_missing_file_is_one_line(db: str, tmp_path: Path, command: str) -> None:
    result = oai("import", command, str(tmp_path / "nope.xml"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.xml'}: No such file or directory"
    ]


def test_an_import_keeps_a_set_description_given_by_oai_load(db: str, tmp_path: Path) -> None:
    declared = {
        "setSpec": "journal:journal-of-examples",
        "setName": "Journal of Examples",
        "setDescription": "Our flagship.",
    }
    path = tmp_path / "sets.jsonl"
    path.write_text(json.dumps(declared) + "\n", "utf-8")
    assert oai("load", str(path)).exit_code == 0
    import_all()
    root = request(verb="ListSets")
    for element in root.iter(f"{OAI}set"):
        if element.findtext(f"{OAI}setSpec") == "journal:journal-of-examples":
            assert "Our flagship." in etree.tostring(element, encoding="unicode")
            break
    else:
        raise AssertionError("the journal's set is missing")


def test_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    """Over 100 files (or 1 MB), a terminal on stderr shows a bar; a pipe shows nothing."""
    folder = tmp_path / "issue"
    folder.mkdir()
    article = (SAMPLES / "jats" / "more" / "untitled-ish.xml").read_text("utf-8")
    for number in range(101):  # no DOI and no publisher-id: each file's name is its id
        (folder / f"a{number:03d}.xml").write_text(article, "utf-8")
    env = {
        **os.environ,
        "OAI_DATABASE_URL": f"sqlite:///{tmp_path / 'bar.sqlite'}",
        "OAI_REPOSITORY_IDENTIFIER": "journals.example.org",
    }
    command = [sys.executable, "-m", "oai", "import", "jats"]
    controller, terminal = pty.openpty()
    try:
        shown = subprocess.run(
            [*command, str(folder)],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            cwd=Path(__file__).parent.parent,
            timeout=120,
            check=False,
        )
        os.close(terminal)
        drawn = b""
        while select.select([controller], [], [], 0.2)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(controller)
    assert shown.returncode == 0, drawn
    assert b"import jats" in drawn and b"100%" in drawn
    assert shown.stdout.decode().startswith("imported 101 articles from 101 files: 101 added")
    piped = subprocess.run(
        [*command, "--dry-run", str(folder)],
        capture_output=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0
    assert piped.stderr == b""
    assert "101 unchanged" in piped.stdout.decode()


def test_jats_from_standard_input(db: str) -> None:
    text = (SAMPLES / "jats" / "jats-1.3-book-review.xml").read_text("utf-8")
    found = counts(oai("import", "jats", "-", input=text))
    assert (found["articles"], found["added"]) == (1, 1)
    nameless = (SAMPLES / "jats" / "more" / "untitled-ish.xml").read_text("utf-8")
    result = oai("import", "jats", "-", input=nameless)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: <stdin>:14: the article has neither a DOI")
