"""The JATS4R Schematron, run on a JATS document when its files and saxonche are at hand.

Nothing of JATS4R or SchXslt2 is kept in this repository. Point the tests at copies:
``OAI_TEST_JATS4R`` = the folder holding ``jats4r.sch`` and its includes
(JATS4R/jats-schematrons, ``schematrons/1.0``, MIT), ``OAI_TEST_SCHXSLT2`` = SchXslt2's
``transpile.xsl`` (schxslt/schxslt2, ``src/main/resources/content``, MIT), and install
``saxonche`` (the rules are XSLT 2). Tests skip, saying which is missing, otherwise.

As published (jats-schematrons 80d1687), ``jats4r.sch`` uses the ``xs`` and ``xsd``
prefixes without declaring them, so it does not compile; :func:`validator` declares
them in a temporary copy. Its ALI prefix lacks JATS 1.3's trailing slash, which only
matters for rules written with the prefix (the permissions rules use local names).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_XS = "http://www.w3.org/2001/XMLSchema"


@dataclass(frozen=True)
class Finding:
    role: str
    #: The rule's message, whitespace collapsed.
    text: str


def _paths() -> tuple[Path, Path]:
    try:
        import saxonche  # noqa: F401
    except ImportError:
        pytest.skip("JATS4R Schematron: saxonche is not installed (pip install saxonche)")
    folder, transpiler = os.environ.get("OAI_TEST_JATS4R"), os.environ.get("OAI_TEST_SCHXSLT2")
    if not folder or not (Path(folder) / "jats4r.sch").is_file():
        pytest.skip("JATS4R Schematron: set OAI_TEST_JATS4R to a folder holding jats4r.sch")
    if not transpiler or not Path(transpiler).is_file():
        pytest.skip("JATS4R Schematron: set OAI_TEST_SCHXSLT2 to SchXslt2's transpile.xsl")
    return Path(folder), Path(transpiler)


@cache
def validator() -> tuple[Any, tempfile.TemporaryDirectory[str]]:
    """The JATS4R rules as a compiled XSLT (built once per test session), and the folder of
    rule files it reads while it runs (lookup tables such as countries.xml)."""
    folder, transpiler = _paths()  # first: it skips, saying why, when saxonche is missing
    from saxonche import PySaxonProcessor

    schema = (folder / "jats4r.sch").read_text("utf-8")
    declared = f'<ns prefix="xs" uri="{_XS}"/><ns prefix="xsd" uri="{_XS}"/><ns prefix="ali"'
    schema = schema.replace('<ns prefix="ali"', declared, 1)
    schema = schema.replace('queryBinding="xslt2"', f'queryBinding="xslt2" xmlns:xsd="{_XS}"', 1)
    xslt = PySaxonProcessor(license=False).new_xslt30_processor()
    work = tempfile.TemporaryDirectory()
    # The fixed copy sits among copies of the files it includes and reads.
    rules = Path(shutil.copytree(folder, Path(work.name) / "rules"))
    (rules / "jats4r.sch").write_text(schema, "utf-8")
    transpile = xslt.compile_stylesheet(stylesheet_file=str(transpiler))
    stylesheet = transpile.transform_to_string(source_file=str(rules / "jats4r.sch"))
    (rules / "jats4r.xsl").write_text(stylesheet, "utf-8")
    return xslt.compile_stylesheet(stylesheet_file=str(rules / "jats4r.xsl")), work


def findings(article: etree._Element) -> list[Finding]:
    """Every failed assert and successful report for an unqualified JATS ``<article>``."""
    with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as doc:
        doc.write(etree.tostring(article))
    try:
        report = validator()[0].transform_to_string(source_file=doc.name)
    finally:
        os.unlink(doc.name)
    svrl = etree.fromstring(report.encode("utf-8"))
    found = svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL)
    return [
        Finding(element.get("role") or "", " ".join("".join(element.itertext()).split()))
        for element in found
    ]
