"""Load-time datestamps, given at the commit rather than when a row is written.

A list sequence covers datestamps up to one second before its first responseDate,
and the next incremental harvest starts ``from`` that responseDate (verbs._first_state).
Nothing is lost only if every change becomes visible with a datestamp no earlier than
the second in which it became visible. A load that stamped its rows when it wrote
them breaks that: it writes rows stamped at second T, a harvest starts at T + 1 and
cannot see them (not committed), the load commits, and the follow-up harvest from
T + 1 skips them too. The longer the load, the wider that window.

So rows whose datestamp is "the load time" are written with :data:`PENDING`, a value
no load file can give (it has microseconds), and :func:`settle` stamps them with the
current second in three UPDATEs as the last thing before the commit. If that second
ends before the restamp does, a savepoint undoes it and it runs again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..protocol import utc_now
from .models import Fragment, Membership, Record

#: The datestamp of a row written by a load that has not settled yet.
PENDING = datetime(9999, 12, 31, 23, 59, 59, 999_999)
#: Seconds left in the stamped second for the COMMIT that follows :func:`settle`.
COMMIT_ALLOWANCE = 0.25
#: Restamps tried, each at the top of a new second, before settling for one slightly ahead.
ATTEMPTS = 3
#: Records restamped (then rolled back) to time a large restamp before choosing its second.
PROBE = 2_000


def pending() -> datetime:
    """The Loader's clock: every row it stamps with "now" is settled at the commit."""
    return PENDING


def _restamp(session: Session, stamp: datetime, limit: int | None = None) -> None:
    """Give the PENDING rows (record, fragments, memberships) the datestamp ``stamp``;
    with ``limit``, only those of that many records. Only the datestamp columns change:
    stored XML never carries a datestamp (:mod:`oai.fragments`)."""
    waiting = select(Record.identifier).where(Record.datestamp == PENDING).limit(limit)
    for table in (Fragment, Membership):
        session.execute(
            update(table)
            .where(table.identifier.in_(waiting), table.datestamp == PENDING)
            .values(datestamp=stamp),
            execution_options={"synchronize_session": False},
        )
    session.execute(
        update(Record).where(Record.identifier.in_(waiting)).values(datestamp=stamp),
        execution_options={"synchronize_session": False},
    )


def _seconds_left(stamp: datetime) -> float:
    """Real time left before the second ``stamp`` names is over."""
    return stamp.replace(tzinfo=UTC).timestamp() + 1 - time.time()


def _probe(session: Session, pending_count: int, clock: Callable[[], datetime]) -> float:
    """Seconds a restamp of ``pending_count`` records should take here: PROBE of them are
    restamped and the work undone (a savepoint), which costs about PROBE rows' worth."""
    if pending_count <= PROBE:
        return 0.0
    with session.begin_nested() as savepoint:
        started = time.monotonic()
        _restamp(session, clock(), limit=PROBE)
        elapsed = time.monotonic() - started
        savepoint.rollback()
    return elapsed * pending_count / PROBE


def settle(session: Session, clock: Callable[[], datetime] = utc_now) -> datetime | None:
    """Stamp this transaction's PENDING rows with the current second; the stamp used.

    Call it last, right before the commit; None when nothing was pending. A restamp
    that fits in what is left of a second runs in a savepoint and is redone at the top
    of the next second if the second ends first. One too slow for that (a load of very
    many records) is given a second ahead by its expected duration instead: its records
    carry a datestamp briefly in the future, never one in the past.
    """
    count = session.execute(
        select(func.count()).select_from(Record).where(Record.datestamp == PENDING)
    ).scalar_one()
    if not count:
        return None
    expected = _probe(session, count, clock)
    for _ in range(ATTEMPTS):
        if expected > 1 - COMMIT_ALLOWANCE:
            break
        stamp = clock()
        started = time.monotonic()
        with session.begin_nested() as savepoint:
            _restamp(session, stamp)
            if _seconds_left(stamp) > COMMIT_ALLOWANCE:
                return stamp
            savepoint.rollback()
        expected = max(expected, time.monotonic() - started)
        time.sleep(max(0.0, _seconds_left(stamp)))  # again, at the top of the next second
    stamp = clock() + timedelta(seconds=math.ceil(expected * 1.5) + 1)
    _restamp(session, stamp)
    return stamp
