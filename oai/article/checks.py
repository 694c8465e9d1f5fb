"""Identifier and value checks for the article keys: each returns the reason a value is
wrong, or None when it is right.

Check digits are verified, not only shapes: a mistyped ORCID or ISSN is a real
person's or journal's identifier only by accident, and harvesters link by them.
"""

from __future__ import annotations

import re
from datetime import date

_ORCID = re.compile(r"https://orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.ASCII)
_ISSN = re.compile(r"\d{4}-\d{3}[\dX]", re.ASCII)
#: Crockford's base 32 without I, L, O and U, lower case as ROR writes it.
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR = re.compile(r"https://ror\.org/(0[0-9a-hjkmnp-tv-z]{6}\d{2})", re.ASCII)
#: Crossref's and DataCite's DOI syntax: ``10.`` registrant code ``/`` suffix, no spaces.
_DOI = re.compile(r"10\.\d{4,9}(\.\d+)*/\S+", re.ASCII)
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#]+[^\s]*", re.ASCII)
_PAGES = re.compile(r"([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?", re.ASCII)
_MIME = re.compile(r"[a-z]+/[A-Za-z0-9][A-Za-z0-9.+\-]*", re.ASCII)
_YEAR = re.compile(r"\d{4}", re.ASCII)


def orcid_check(digits: str) -> str:
    """The check character of an ORCID's first 15 digits: ISO 7064 MOD 11-2."""
    total = 0
    for char in digits:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def orcid(value: str) -> str | None:
    match = _ORCID.fullmatch(value)
    if match is None:
        return "must be https://orcid.org/ followed by 16 digits such as 0000-0002-1825-0097"
    digits = match.group(1).replace("-", "")
    if orcid_check(digits[:15]) != digits[15]:
        return f"{value} has a wrong check digit"
    return None


def issn_check(digits: str) -> str:
    """The check character of an ISSN's first seven digits: weights 8 to 2, modulo 11."""
    total = sum(int(char) * (8 - position) for position, char in enumerate(digits))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def issn(value: str) -> str | None:
    if _ISSN.fullmatch(value) is None:
        return "must look like 0317-8471 (NNNN-NNNC)"
    digits = value.replace("-", "")
    if issn_check(digits[:7]) != digits[7]:
        return f"{value} has a wrong check digit"
    return None


def ror_check(body: str) -> str:
    """The two check digits of a ROR id's six base-32 characters: ISO 7064 MOD 97-10."""
    number = 0
    for char in body:
        number = number * 32 + _CROCKFORD.index(char)
    return f"{98 - (number * 100) % 97:02d}"


def ror(value: str) -> str | None:
    match = _ROR.fullmatch(value)
    if match is None:
        return "must be https://ror.org/ followed by 9 characters such as 05gq02987"
    code = match.group(1)
    if ror_check(code[1:7]) != code[7:]:
        return f"{value} has wrong check digits"
    return None


def doi(value: str) -> str | None:
    if value.lower().startswith(("http:", "https:", "doi:")):
        return "must be a bare DOI such as 10.5555/12345678 (no https://doi.org/ or doi:)"
    if _DOI.fullmatch(value) is None:
        return "must be a DOI such as 10.5555/12345678"
    return None


def absolute_uri(value: str) -> str | None:
    if _URI.fullmatch(value) is None:
        return "must be an absolute URI such as https://example.org/..."
    return None


def mime(value: str) -> str | None:
    if _MIME.fullmatch(value) is None:
        return "must be a MIME type such as application/pdf"
    return None


def partial_date(value: str) -> tuple[int, int | None, int | None] | str:
    """(year, month, day) of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, or the reason it is not."""
    match = _DATE.fullmatch(value)
    if match is None:
        return "must be a date: YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError:
        return f"{value} is not a real date"
    if year == 0:
        return f"{value} is not a real date"
    return year, month, day


def pages(value: str) -> tuple[str, str | None] | str:
    match = _PAGES.fullmatch(value)
    if match is None:
        return "must be first-last (69-87) or one page or article number (e1234)"
    return match.group(1), match.group(2)


def isbn(value: str) -> str | None:
    """ISBN-13 (weights 1 and 3, modulo 10) or ISBN-10 (weights 10 to 1, modulo 11)."""
    digits = value.replace("-", "").replace(" ", "")
    if re.fullmatch(r"97[89]\d{10}", digits, re.ASCII):
        total = sum(int(char) * (3 if position % 2 else 1) for position, char in enumerate(digits))
        return None if total % 10 == 0 else f"{value} has a wrong check digit"
    if re.fullmatch(r"\d{9}[\dX]", digits, re.ASCII):
        total = sum(
            (10 if char == "X" else int(char)) * (10 - position)
            for position, char in enumerate(digits)
        )
        return None if total % 11 == 0 else f"{value} has a wrong check digit"
    return "must be an ISBN-13 (9781541647466) or ISBN-10"


def year(value: str) -> str | None:
    return None if _YEAR.fullmatch(value) else "must be a year (YYYY)"
