"""SQL the list and record queries need that SQLAlchemy has no construct for, per dialect.

``stamp_bytes`` has the database write a datestamp as OAI-PMH does, so a page of rows
costs no datetime object per row; ``same_datestamp`` joins a membership to its
fragment where that helps the planner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, LargeBinary
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class stamp_bytes(FunctionElement[bytes]):  # noqa: N801 -- a SQL function, named like one
    """A datestamp column as the header writes it, ``YYYY-MM-DDThh:mm:ssZ``, in bytes.

    Made by the database for every row of a page: a page then costs no datetime per
    row, parsed by the driver and formatted again (measured: 1.4 us a row of ~7 us).
    """

    type = LargeBinary()
    inherit_cache = True


def stamp_datetime(stamp: bytes) -> datetime:
    """The datetime of a ``stamp_bytes`` value (``YYYY-MM-DDThh:mm:ssZ``), for the few
    rows that need one: the last of a page (its token), a GetRecord (Last-Modified)."""
    return datetime.fromisoformat(stamp[:-1].decode())


@compiles(stamp_bytes, "sqlite")
def _stamp_sqlite(element: stamp_bytes, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores a DateTime in SQLite as fixed-width text, 'YYYY-MM-DD hh:mm:ss.ffffff':
    # cut and joined, not parsed again by strftime, which cost 0.9 us a row (0.29 against
    # 0.17 ms for a page's 101 rows at 100,000 records).
    column = compiler.process(element.clauses, **kw)
    return f"CAST(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z' AS BLOB)"


@compiles(stamp_bytes, "postgresql")
def _stamp_postgresql(element: stamp_bytes, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"convert_to(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'UTF8')"


class same_datestamp(FunctionElement[bool]):  # noqa: N801 -- a SQL condition, named like one
    """A fragment's datestamp equals its membership's, as a join condition where it helps.

    Every write gives a record's fragments and memberships the record's datestamp, so
    the identifier (with the prefix) already joins a membership to its one fragment.
    SQLite needs the datestamp too, to look the fragment up by its primary key: 0.75 ms
    for a set page of 101 items with it, 2.7 ms through the identifier index without
    (100,000 records). PostgreSQL must not get it: it multiplies the two equalities'
    selectivities, expects one row from the join instead of 85,000, and so plans a
    set's page as a hash join of the whole set with every fragment of the format
    (630 to 880 ms a page for the ``type:article`` set of 100,000 records) instead of
    walking the set's memberships in order (1 to 7 ms).
    """

    type = Boolean()
    inherit_cache = True
    #: A comparison already: SQLite, which has no boolean type, must not get ``= 1`` after it.
    _is_implicitly_boolean = True


@compiles(same_datestamp)
def _same_datestamp(element: same_datestamp, compiler: Any, **kw: Any) -> str:
    fragment, membership = (compiler.process(c, **kw) for c in element.clauses)
    return f"{fragment} = {membership}"


@compiles(same_datestamp, "postgresql")
def _same_datestamp_postgresql(element: same_datestamp, compiler: Any, **kw: Any) -> str:
    return "true"
