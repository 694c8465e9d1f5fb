from tests.conftest import record


def test_fixture_load_and_identify_validate(app, load, oai_get):
    load([record(n) for n in range(5)])
    root = oai_get(verb="Identify")
    assert (
        root.findtext(
            "{http://www.openarchives.org/OAI/2.0/}Identify/"
            "{http://www.openarchives.org/OAI/2.0/}repositoryName"
        )
        == "Test Repository"
    )
    oai_get(verb="ListRecords", metadataPrefix="oai_dc")
    oai_get(verb="ListSets")
