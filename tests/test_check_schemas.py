"""oai.check's schemas: catalogs, the download cache, and each format's validation.

Each format is tried with an instance of its own, valid and broken in one stated way,
against the official schemas in ../shared/schemas. Downloads are simulated by a fetch
function that reads those same files under their public URLs, so no network is used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from oai.check.schemas import Catalog, Source, Unavailable, catalog_files, compile_schema
from oai.check.validation import Validator

from . import xsd

DC_URL = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

OAI_DC = """<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title>{extra}</oai_dc:dc>"""
MARC = """<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nab a22000007i 4500</leader>
  <controlfield tag="001">rec-1</controlfield>
  <datafield tag="245" ind1="1" ind2="{ind}"><subfield code="a">A title.</subfield></datafield>
  </record>"""
MODS = """<mods xmlns="http://www.loc.gov/mods/v3" version="3.8">
  <titleInfo><title>A title</title></titleInfo>{extra}</mods>"""
DATACITE = """<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/">
  <schemaVersion>4.3</schemaVersion><datacentreSymbol>EXAMPLE.REPO</datacentreSymbol>
  <payload><resource xmlns="http://datacite.org/schema/kernel-4">
    <identifier identifierType="DOI">10.5555/12345678</identifier>
    <creators><creator><creatorName>Doe, Jane</creatorName></creator></creators>
    <titles><title>A title</title></titles>
    <publisher>Example Press</publisher><publicationYear>2024</publicationYear>
    <resourceType resourceTypeGeneral="{general}">Article</resourceType>
  </resource></payload></oai_datacite>"""
JATS = """<article xmlns="https://jats.nlm.nih.gov/ns/archiving/1.3/"
  article-type="research-article"><front>{first}{second}</front></article>"""
JOURNAL_META = """<journal-meta><journal-id journal-id-type="publisher-id">ex</journal-id>
  <issn publication-format="electronic">1470-1030</issn></journal-meta>"""
ARTICLE_META = """<article-meta><title-group><article-title>A title</article-title></title-group>
  <pub-date><year>2024</year></pub-date></article-meta>"""
OPENAIRE = """<oaire:resource xmlns:oaire="http://namespace.openaire.eu/schema/oaire/"
  xmlns:datacite="http://datacite.org/schema/kernel-4" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <datacite:titles><datacite:title>A title</datacite:title></datacite:titles>
  <oaire:resourceType resourceTypeGeneral="literature"
    uri="http://purl.org/coar/resource_type/{coar}">journal article</oaire:resourceType>
  </oaire:resource>"""

#: (format, valid instance, the same broken in one way).
INSTANCES = [
    ("oai_dc", OAI_DC.format(extra=""), OAI_DC.format(extra="<dc:bogus>x</dc:bogus>")),
    ("marcxml", MARC.format(ind="0"), MARC.format(ind="#")),
    ("mods", MODS.format(extra=""), MODS.format(extra="<bogus/>")),
    ("oai_openaire", OPENAIRE.format(coar="c_6501"), OPENAIRE.format(coar="c_nonsense")),
]


@pytest.fixture
def schemas() -> Path:
    folder = xsd.schemas_dir()
    if folder is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    return folder


def catalog(folder: Path) -> Catalog:
    found = Catalog()
    found.read(folder / "catalog.xml")
    return found


@pytest.fixture
def validator(schemas: Path, tmp_path: Path) -> Validator:
    return Validator(Source(catalog(schemas), tmp_path / "cache", download=False))


def errors(validator: Validator, text: str) -> list[str | None]:
    return [v.error for v in validator.judge(etree.fromstring(text))]


@pytest.mark.parametrize(("name", "valid", "broken"), INSTANCES, ids=[i[0] for i in INSTANCES])
def test_each_format_valid_and_broken(
    validator: Validator, name: str, valid: str, broken: str
) -> None:
    assert errors(validator, valid) == [None]
    (error,) = errors(validator, broken)
    assert error is not None


def test_datacite_payload_is_validated_on_its_own(validator: Validator) -> None:
    """The wrapper leaves its payload unchecked: a bad resourceTypeGeneral passes it."""
    assert errors(validator, DATACITE.format(general="JournalArticle")) == [None, None]
    wrapper, payload = errors(validator, DATACITE.format(general="Article"))
    assert wrapper is None
    assert payload is not None and "resourceTypeGeneral" in payload


def test_jats_is_validated_without_its_namespace(validator: Validator) -> None:
    """Served in a namespace, judged by JATS Publishing 1.3 (which has none); order matters."""
    assert errors(validator, JATS.format(first=JOURNAL_META, second=ARTICLE_META)) == [None]
    (error,) = errors(validator, JATS.format(first=ARTICLE_META, second=JOURNAL_META))
    assert error is not None


def test_an_unknown_namespace_uses_the_advertised_schema(validator: Validator) -> None:
    element = etree.fromstring('<x:thing xmlns:x="http://example.org/x/"/>')
    with pytest.raises(Unavailable, match="no schema is known"):
        list(validator.judge(element))
    with pytest.raises(Unavailable, match="http://example.org/x.xsd"):
        list(validator.judge(element, {"http://example.org/x/": "http://example.org/x.xsd"}))


def public(schemas: Path, calls: list[str]) -> Callable[[str], bytes]:
    """A fetch that serves the local copies under their public URLs, counting the calls."""
    by_url = {url: path for url, path in catalog(schemas).exact.items()}
    kernel = "http://schema.datacite.org/meta/kernel-4/"

    def fetch(url: str) -> bytes:
        calls.append(url)
        if url.startswith(kernel):
            return (schemas / "datacite" / "kernel-4" / url[len(kernel) :]).read_bytes()
        if url in by_url:
            return by_url[url].read_bytes()
        raise OSError("404 Not Found")

    return fetch


def test_a_schema_is_fetched_once_then_read_from_the_cache(schemas: Path, tmp_path: Path) -> None:
    calls: list[str] = []
    online = Source(Catalog(), tmp_path, download=True, fetch=public(schemas, calls))
    dc = etree.fromstring(OAI_DC.format(extra=""))
    assert compile_schema(online, DC_URL).validate(dc)
    # oai_dc.xsd, the simple DC schema it imports, and the xml.xsd that one imports.
    assert len(calls) == 3 and calls[0] == DC_URL
    offline = Source(Catalog(), tmp_path, download=False, fetch=public(schemas, calls))
    assert compile_schema(offline, DC_URL).validate(dc)
    assert len(calls) == 3


def test_relative_includes_of_a_fetched_schema_are_fetched_as_urls(
    schemas: Path, tmp_path: Path
) -> None:
    calls: list[str] = []
    source = Source(Catalog(), tmp_path, download=True, fetch=public(schemas, calls))
    assert errors(Validator(source), DATACITE.format(general="JournalArticle")) == [None, None]
    assert "http://schema.datacite.org/meta/kernel-4/include/datacite-titleType-v4.xsd" in calls


def test_a_missing_import_makes_the_schema_unavailable(schemas: Path, tmp_path: Path) -> None:
    """libxml2 only warns about a failed import; the checker must not judge with the rest."""
    calls: list[str] = []
    fetch = public(schemas, calls)

    def without_simple_dc(url: str) -> bytes:
        if "simpledc" in url:
            raise OSError("404 Not Found")
        return fetch(url)

    source = Source(Catalog(), tmp_path, download=True, fetch=without_simple_dc)
    with pytest.raises(Unavailable, match="simpledc20021212.xsd"):
        compile_schema(source, DC_URL)


def test_offline_and_not_in_a_catalog_is_unavailable(tmp_path: Path) -> None:
    source = Source(Catalog(), tmp_path, download=False)
    with pytest.raises(Unavailable, match="offline"):
        compile_schema(source, "http://example.org/never-fetched.xsd")


def test_catalogs_come_from_the_folder_then_xml_catalog_files(tmp_path: Path) -> None:
    env = {"XML_CATALOG_FILES": "/a/catalog.xml file:///b/catalog.xml"}
    assert catalog_files(tmp_path, env) == [
        tmp_path / "catalog.xml",
        Path("/a/catalog.xml"),
        Path("/b/catalog.xml"),
    ]
    assert catalog_files(None, {}) == []


def test_catalog_entries_and_rewrites(tmp_path: Path) -> None:
    (tmp_path / "next.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        '<rewriteURI uriStartString="http://example.org/s/" rewritePrefix="local/"/></catalog>'
    )
    (tmp_path / "catalog.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        '<uri name="http://example.org/a.xsd" uri="a.xsd"/>'
        '<system systemId="http://example.org/b.xsd" uri="sub/b.xsd"/>'
        '<nextCatalog catalog="next.xml"/></catalog>'
    )
    found = Catalog()
    found.read(tmp_path / "catalog.xml")
    assert found.lookup("http://example.org/a.xsd") == tmp_path / "a.xsd"
    assert found.lookup("http://example.org/b.xsd") == tmp_path / "sub" / "b.xsd"
    assert found.lookup("http://example.org/s/x/y.xsd") == tmp_path / "local" / "x" / "y.xsd"
    assert found.lookup("http://example.org/c.xsd") is None
