"""Identifiers and values as sources write them, brought to the article model's form.

Sources write the same identifier several ways (``http://orcid.org/…``, a bare
``0000-0002-…``, ``http://dx.doi.org/10.13039/…``, an ISSN without its hyphen).
Each function here returns the one form INTERFACE.md keys take, checked with the
model's own check (``oai.article.checks``), or raises ValueError with the reason;
the importer adds where the value was. Nothing is invented: a value that is not
the identifier it claims to be is an error, not a guess.
"""

from __future__ import annotations

import re

from ..article import checks

_SPACE = re.compile(r"\s+")
_ORCID_DIGITS = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])", re.ASCII)
_ROR_ID = re.compile(r"0[0-9a-hjkmnp-tv-z]{6}\d{2}", re.ASCII)
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")
_FUNDER_DOI = re.compile(r"10\.13039/\S+", re.ASCII)
_DASHES = re.compile("[\u2010-\u2015\u2212]")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def clean(text: str | None) -> str | None:
    """Whitespace collapsed and trimmed; None for nothing but whitespace."""
    if text is None:
        return None
    value = _SPACE.sub(" ", text).strip()
    return value or None


def _checked(value: str, check: str | None) -> str:
    if check is not None:
        raise ValueError(check)
    return value


def orcid(text: str) -> str:
    """``https://orcid.org/NNNN-NNNN-NNNN-NNNC`` from any of the ways sources write it."""
    value = text.strip()
    for prefix in ("https://orcid.org/", "http://orcid.org/", "orcid.org/"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    match = _ORCID_DIGITS.fullmatch(value)
    if match is None:
        raise ValueError(f"ORCID {text.strip()!r} is not an ORCID iD such as 0000-0002-1825-0097")
    full = "https://orcid.org/" + "-".join(match.groups()).upper()
    return _checked(full, checks.orcid(full))


def ror(text: str) -> str:
    """``https://ror.org/0xxxxxxNN`` from a ROR URL or a bare ROR id."""
    value = text.strip()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    value = value.lower().rstrip("/")
    if _ROR_ID.fullmatch(value) is None:
        raise ValueError(f"ROR id {text.strip()!r} is not a ROR id such as 05gq02987")
    full = f"https://ror.org/{value}"
    return _checked(full, checks.ror(full))


def doi(text: str) -> str:
    """A bare DOI (``10.NNNN/…``), from a bare one, ``doi:…`` or a doi.org link."""
    value = text.strip()
    lower = value.lower()
    for prefix in _DOI_PREFIXES + ("doi:",):
        if lower.startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    if checks.doi(value) is not None:
        raise ValueError(f"DOI {text.strip()!r} is not a DOI such as 10.5555/12345678")
    return value


def funder_id(text: str) -> str:
    """A funder's identifier as an absolute URI: a Funder Registry DOI link or a ROR id."""
    value = text.strip()
    lower = value.lower()
    if "ror.org/" in lower:
        return ror(value)
    for prefix in _DOI_PREFIXES:
        if lower.startswith(prefix):
            value = value[len(prefix) :]
            break
    if _FUNDER_DOI.fullmatch(value):
        return f"https://doi.org/{value}"
    raise ValueError(f"funder id {text.strip()!r} is not a Funder Registry DOI or a ROR id")


def issn(text: str) -> str:
    """``NNNN-NNNC``, from an ISSN written with or without its hyphen."""
    value = text.strip().upper()
    if re.fullmatch(r"\d{7}[\dX]", value):
        value = f"{value[:4]}-{value[4:]}"
    reason = checks.issn(value)
    if reason is not None:
        raise ValueError(f"ISSN {reason}" if value in reason else f"ISSN {value!r} {reason}")
    return value


def uri(text: str, what: str) -> str:
    value = text.strip()
    if checks.absolute_uri(value) is not None:
        raise ValueError(f"{what} {value!r} is not an absolute URI")
    return value


def month(text: str) -> int | None:
    """A month as a number 1-12, from ``6``, ``06`` or ``Jun``; None for seasons and the like.

    Crossref writes seasons and quarters as months 21-34: a season is not a month, so
    the date keeps only its year.
    """
    value = text.strip().lower().rstrip(".")
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(value)


def partial_date(year: str | None, month_text: str | None, day: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from the parts a source gives; None without a year.

    A day without a usable month is dropped with it (the date is still true to the year).
    """
    if year is None or not year.strip():
        return None
    text = year.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"year {text!r} is not a four-digit year")
    number = month(month_text) if month_text and month_text.strip() else None
    if number is not None:
        text += f"-{number:02d}"
        if day is not None and day.strip():
            if not day.strip().isdigit():
                raise ValueError(f"day {day.strip()!r} is not a number")
            text += f"-{int(day):02d}"
    parsed = checks.partial_date(text)
    if isinstance(parsed, str):
        raise ValueError(parsed)
    return text


def iso_date(text: str) -> str:
    """The date part of an ISO 8601 date or date-time (``2024-06-30T…``): ``YYYY[-MM[-DD]]``."""
    value = text.strip()[:10]
    parsed = checks.partial_date(value)
    if isinstance(parsed, str):
        raise ValueError(f"date {text.strip()!r} {parsed}")
    return value


def pages(first: str | None, last: str | None) -> str | None:
    """``first-last``, or one page or article number; None when there is no first page."""
    first_value = clean(first)
    last_value = clean(last)
    if first_value is None:
        return None
    text = first_value if last_value in (None, first_value) else f"{first_value}-{last_value}"
    return page_range(text)


def page_range(text: str) -> str:
    """A page range as written (``69–87`` with any dash, ``e1234``), as the model writes it."""
    value = re.sub(r"\s*-\s*", "-", _DASHES.sub("-", text.strip()))
    parsed = checks.pages(value)
    if isinstance(parsed, str):
        raise ValueError(f"pages {text.strip()!r} {parsed}")
    return value


def mime(text: str | None) -> str | None:
    """A MIME type without parameters (``application/pdf``), or None when it is none."""
    if text is None:
        return None
    value = text.split(";", 1)[0].strip().lower()
    return value if checks.mime(value) is None else None
