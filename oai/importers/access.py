"""Licence, access right and embargo from what a source says about them, and no more.

Crossref's access indicators and JATS's permissions say the same things: licences
(``license_ref``/``license``), each for a version of the work and from a start date,
and "free to read" statements (``free_to_read``), from and to a date. Crossref's
guide for depositing them ("Using Crossref metadata to enable auditing of
conformance to funder mandates", section Embargoes) defines an embargo as a
work under access control until a later date, from which it is under an open
licence; free-to-read says when the work can be read without charge. So:

- Only licences for the version of record count (Crossref ``applies_to="vor"``, REST
  ``content-version`` ``vor``, or none said); ``am``, ``tdm`` and ``stm`` licences are
  for other copies or uses.
- ``license`` is the version of record's open licence (Creative Commons) when it has
  one, as that is the licence it is, or will be, under; else its first licence.
- ``access``: a free-to-read statement decides when there is one (with no dates: open;
  with a start date still to come: embargoed until then); else an open licence does
  (from publication, or from a start date that has passed: open; from a start date
  still to come and after publication: embargoed until that date); a JATS
  ``license-type="open-access"`` says open. Otherwise access is not said and is left out.
  A free-to-read with an end date (free for a while) says nothing lasting: ignored.
- "Still to come" is measured against the day of the import: importing the same file
  after an embargo has ended updates the record to open, with a new datestamp, which
  is what a harvester should see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..article import checks

#: Licence versions that describe the version of record (None: the source does not say).
RECORD_VERSIONS = frozenset({None, "vor", "unspecified"})


@dataclass(frozen=True, slots=True)
class Licence:
    url: str
    #: ``YYYY-MM-DD`` (or coarser) from which it applies; None: from publication.
    start: str | None = None
    #: ``vor``, ``am``, ``tdm``, ``stm``, ``unspecified`` or None, as the source says.
    version: str | None = None

    @property
    def open(self) -> bool:
        """A Creative Commons licence or public-domain tool: anyone may read and reuse."""
        host = self.url.split("://", 1)[-1].lower()
        return host.startswith(("creativecommons.org/", "www.creativecommons.org/"))


@dataclass(frozen=True, slots=True)
class FreeToRead:
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True, slots=True)
class Rights:
    license: str | None = None
    access: str | None = None
    embargo_until: str | None = None

    def keys(self) -> dict[str, str]:
        """The article keys these rights give (none of them when the source says nothing)."""
        values = {
            "license": self.license,
            "access": self.access,
            "embargo_until": self.embargo_until,
        }
        return {key: value for key, value in values.items() if value is not None}


def _first_day(text: str) -> date:
    parsed = checks.partial_date(text)
    assert not isinstance(parsed, str), text
    year, month, day = parsed
    return date(year, month or 1, day or 1)


def _last_day(text: str) -> date:
    """The last day a partial date can mean: ``2024`` may be any day up to 31 December."""
    parsed = checks.partial_date(text)
    assert not isinstance(parsed, str), text
    year, month, day = parsed
    if month is None:
        return date(year, 12, 31)
    if day is None:
        following = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(year, month, day)


def _from(start: str | None, published: str | None, today: date) -> Rights | None:
    """Open from ``start``: embargoed until it if it is still to come and after publication."""
    if start is None or _first_day(start) <= today:
        return Rights(access="open")
    if published is not None and _first_day(start) <= _last_day(published):
        return Rights(access="open")  # applies from publication, which is still to come
    return Rights(access="embargoed", embargo_until=start)


def decide(
    licences: list[Licence],
    free: list[FreeToRead],
    published: str | None,
    today: date,
    stated_open: bool = False,
) -> Rights:
    """The record's licence, access right and embargo end; see the module docstring."""
    record = [licence for licence in licences if licence.version in RECORD_VERSIONS]
    open_licences = sorted(
        (licence for licence in record if licence.open),
        key=lambda licence: _first_day(licence.start) if licence.start else date.min,
    )
    chosen = open_licences[0] if open_licences else (record[0] if record else None)
    url = chosen.url if chosen else None
    lasting = [statement for statement in free if statement.end is None]
    access: Rights | None = None
    if lasting:
        dated = [statement.start for statement in lasting if statement.start is not None]
        earliest = min(dated, key=_first_day) if len(dated) == len(lasting) else None
        access = _from(earliest, published, today)
    elif open_licences:
        access = _from(open_licences[0].start, published, today)
    elif stated_open:
        access = Rights(access="open")
    if access is None:
        return Rights(license=url)
    return Rights(license=url, access=access.access, embargo_until=access.embargo_until)
