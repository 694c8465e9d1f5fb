"""The envelope writer: whatever text a value holds, the document parses and says it back.

xmlwriter writes the envelope as text, so escaping is its own job. Each value it
places (request arguments, baseURL, Identify's fields, set names and descriptions,
error messages, tokens) is given arbitrary text, control characters and lone
surrogates included; the document must parse, and each value must read back as
itself with only the characters XML 1.0 forbids replaced by U+FFFD.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from oai import errors, verbs, xmlwriter
from oai.store.queries import SetRow

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
IDENTIFIER = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
FORBIDDEN = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000)}
FORBIDDEN |= {0xFFFE, 0xFFFF}
WHEN = datetime(2024, 1, 2, 3, 4, 5)

text = st.text(st.characters(codec=None), max_size=30)


def readable(value: str) -> str:
    """What a parser must read back: forbidden characters replaced, nothing else changed."""
    return "".join("\ufffd" if ord(char) in FORBIDDEN else char for char in value)


def document(
    result: verbs.Result | errors.OAIError, envelope: xmlwriter.Envelope
) -> etree._Element:
    return etree.fromstring(b"".join(xmlwriter.write(result, envelope)))


@given(base_url=text, argument=text, name=text, email=text, sample=text)
def test_identify_and_the_request_read_back(
    base_url: str, argument: str, name: str, email: str, sample: str
) -> None:
    envelope = xmlwriter.Envelope(WHEN, base_url, [("verb", "Identify"), ("set", argument)])
    result = verbs.IdentifyResult(name, email, WHEN, "example.org", sample)
    root = document(result, envelope)
    request = root.find(f"{OAI}request")
    assert request is not None
    assert (request.text or "") == readable(base_url)
    assert request.get("set") == readable(argument)
    assert request.get("verb") == "Identify"
    assert root.findtext(f"{OAI}responseDate") == "2024-01-02T03:04:05Z"
    identify = f"{OAI}Identify/{OAI}"
    assert root.findtext(identify + "repositoryName") == readable(name)
    assert root.findtext(identify + "adminEmail") == readable(email)
    assert root.findtext(identify + "baseURL") == readable(base_url)
    assert root.findtext(f".//{IDENTIFIER}sampleIdentifier") == readable(sample)


@given(spec=text, name=text, description=text, token=text)
def test_sets_and_tokens_read_back(spec: str, name: str, description: str, token: str) -> None:
    resumption = verbs.Resumption(token, 10, 25, WHEN)
    result = verbs.SetsResult([SetRow(spec, name, description)], resumption)
    root = document(result, xmlwriter.Envelope(WHEN, "http://h/oai", [("verb", "ListSets")]))
    assert root.findtext(f".//{OAI}setSpec") == readable(spec)
    assert root.findtext(f".//{OAI}setName") == readable(name)
    if description:
        assert root.findtext(f".//{DC}description") == readable(description)
    else:
        assert root.find(f".//{OAI}setDescription") is None
    element = root.find(f".//{OAI}resumptionToken")
    assert element is not None
    assert (element.text or "") == readable(token)
    assert element.get("completeListSize") == "25"
    assert element.get("cursor") == "10"
    assert element.get("expirationDate") == ("2024-01-02T03:04:05Z" if token else None)


@given(message=text.filter(bool))  # an empty message means the code's own text
def test_error_messages_read_back(message: str) -> None:
    root = document(errors.BadArgument(message), xmlwriter.Envelope(WHEN, "http://h/oai", []))
    error = root.find(f"{OAI}error")
    assert error is not None
    assert error.get("code") == "badArgument"
    assert (error.text or "") == readable(message)
    request = root.find(f"{OAI}request")
    assert request is not None and not request.attrib


def test_a_page_larger_than_a_chunk_comes_in_chunks_that_join_to_one_document() -> None:
    item = b"<header><identifier>oai:x:1</identifier><datestamp>2024-01-02T03:04:05Z</datestamp>"
    item += b"</header>"
    items = [item] * (2 * xmlwriter.CHUNK // len(item))
    result = verbs.ItemsResult("ListIdentifiers", items, verbs.Resumption("", 5, 5))
    chunks = list(xmlwriter.write(result, xmlwriter.Envelope(WHEN, "http://h/oai", [])))
    assert len(chunks) >= 2
    assert max(map(len, chunks)) < xmlwriter.CHUNK + len(item) + 1024
    root = etree.fromstring(b"".join(chunks))
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == len(items)


def test_a_small_page_is_one_chunk() -> None:
    result = verbs.ItemsResult("ListRecords", [b"<record/>"] * 3, None)
    chunks = list(xmlwriter.write(result, xmlwriter.Envelope(WHEN, "http://h/oai", [])))
    assert len(chunks) == 1
    assert chunks[0].endswith(b"<record/><record/><record/></ListRecords></OAI-PMH>")


def test_each_response_carries_its_own_response_date() -> None:
    """The text of the last responseDate is kept for the next request of the same second;
    a request of another second gets its own."""
    dates = [WHEN, WHEN, datetime(2024, 1, 2, 3, 4, 6), WHEN, datetime(1999, 12, 31, 23, 59, 59)]
    written = [
        document(errors.BadVerb("x"), xmlwriter.Envelope(when, "http://h/oai", [])).findtext(
            f"{OAI}responseDate"
        )
        for when in dates
    ]
    assert written == [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:06Z",
        "2024-01-02T03:04:05Z",
        "1999-12-31T23:59:59Z",
    ]
