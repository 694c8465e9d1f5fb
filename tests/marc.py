"""Reading a marcxml record back the ways a library system would: as strict XML against
MARC21slim.xsd, with pymarc, and through MARC::Lint's checks (the PyPI ``marc_lint`` port).
"""

from __future__ import annotations

import io
from typing import Any

import pymarc
from lxml import etree
from marc_lint import MarcLint

from oai.article import parse_article
from oai.formats import marcxml

from . import xsd
from .format_checks import parse

NS = {"m": "http://www.loc.gov/MARC21/slim"}


def render(identifier: str, metadata: dict[str, Any]) -> str | None:
    return marcxml.render(parse_article(identifier, metadata))


def schema_errors(xml: str) -> str | None:
    """None when ``xml`` is valid against MARC21slim.xsd, else libxml2's error log."""
    schema = xsd.schema("MARC21slim.xsd")
    if schema.validate(etree.ElementTree(parse(xml))):
        return None
    return str(schema.error_log)


def record(xml: str) -> pymarc.Record:
    records = pymarc.parse_xml_to_array(io.BytesIO(xml.encode()), strict=True)
    assert len(records) == 1 and records[0] is not None, "pymarc did not read one record"
    return records[0]


def lint(rec: pymarc.Record) -> list[str]:
    return [str(warning) for warning in MarcLint().check_record(rec)]


def values(
    rec: pymarc.Record, tag: str, code: str, ind1: str | None = None, ind2: str | None = None
) -> list[str]:
    """Subfield ``code`` of every ``tag`` field with those indicators, as pymarc reads them."""
    out = []
    for field in rec.get_fields(tag):
        if ind1 is not None and field.indicator1 != ind1:
            continue
        if ind2 is not None and field.indicator2 != ind2:
            continue
        out.extend(field.get_subfields(code))
    return out


def control(rec: pymarc.Record, tag: str) -> str | None:
    fields = rec.get_fields(tag)
    return fields[0].data if fields else None
