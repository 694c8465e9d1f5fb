"""``oai import``: a journal's own files (Crossref deposits, Crossref REST API JSON, JATS)
turned into article records and loaded with the guarantees of ``oai load``.

One module a source (``crossref_xml``, ``crossref_json``, ``jats`` with ``jats_people``),
each reading a parsed file into :class:`~oai.importers.records.Imported` articles whose
``metadata`` holds INTERFACE.md's article keys and the Dublin Core the source gives;
``safexml`` parses untrusted XML, ``sources`` finds and reads the files, ``records``
gives each article its identifier and sets, and ``run`` loads them in one transaction.
"""

from __future__ import annotations

from .errors import Refused, SourceError
from .run import ImportReport, import_files
from .sources import crossref_inputs, jats_inputs, read_crossref, read_jats

__all__ = [
    "ImportReport",
    "Refused",
    "SourceError",
    "crossref_inputs",
    "import_files",
    "jats_inputs",
    "read_crossref",
    "read_jats",
]
