"""The SQLite the endpoint reads through: pysqlite3-binary's where it is installed, else
Python's own.

The endpoint reads a SQLite file through a memory map (``make_read_engine``): a page
SQLite has not cached is otherwise copied whole (64 KB) for the one row a GetRecord
needs. Python's own sqlite3 (Debian's SQLite 3.40) maps at most the first 2 GB of a file
(it is built with ``SQLITE_MAX_MMAP_SIZE`` 0x7fff0000), and at 1,000,000 records the file
is 28 GB. pysqlite3-binary, the DB-API module of Python's standard library built against
a newer SQLite (3.51) by the author of peewee, maps up to 1 TB. On the benchmark's
1,000,000 records (raw lookups of 1,000 records in the six formats, warm): a GetRecord's
statement took 12.4 us where Python's took 43 to 57 us, and a set's ListRecords page of
101 MODS records 0.39 ms against 0.79 to 1.06 ms; pysqlite3 mapping only 2 GB took 45 us,
so the map is the difference, not the SQLite version. The price is a list page's page
faults: 400 consecutive oai_dc pages took 191 to 198 us each mapped against 170 to 187
read, and served side by side a full oai_dc harvest cost 889 to 973 us of CPU a page
against 840 to 907, where GetRecord's p50 fell from 0.43-0.49 to 0.37-0.41 ms and the
16-connection mix of the benchmark rose from 37% to 46% of its ceiling.

Loads keep Python's own sqlite3 (``make_engine``): pysqlite3-binary's SQLite is built
to keep every temporary table in memory (``SQLITE_TEMP_STORE=3``), and a large load
stages gigabytes of rows in temporary tables (``rows.FormatStages``). The two SQLite
versions share the file and its write-ahead log, whose formats have not changed since
SQLite 3.7.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def read_driver() -> ModuleType | None:
    """pysqlite3's DB-API module, or None when it is not installed (SQLAlchemy then takes
    the standard library's sqlite3, whose map stops at 2 GB)."""
    try:
        return importlib.import_module("pysqlite3.dbapi2")
    except ImportError:
        return None
