"""MARC 21's coded fields for a journal article: the leader, 006, 007 and 008.

Every position is either a code the article's facts determine or MARC's own
"not coded" value (the fill character ``|``, blanks, ``u`` for unknown date
digits), so that nothing in the fixed fields claims more than the record states:

- Leader/17 is ``3`` (abbreviated level): the minimal national level needs a
  cataloguing agency in 040 and a date entered on file, and neither can be given
  honestly (below). Leader/18 ``i``: the record carries ISBD punctuation.
- 008/00-05, "date entered on file", must be six digits and may not hold the fill
  character; it is the day a cataloguing system first stored the record. The
  renderer sees only the article, which has no such date (its publication date is
  not one), and a render must not depend on the clock (a re-render must give the
  same bytes). So the positions are blank: a system that ingests the record
  stamps its own date there, as it does in 005. MARC::Lint does not check them.
- 008/15-17 is ``xx `` (no place, unknown): the record names no place of
  publication. 008/35-37 is the first language's MARC code, ``und`` when the
  record names a language MARC's list here cannot code, blanks when it names none.
- 008/06-14 code the publication date: ``s`` and the year, ``e`` and year, month
  and day (``uu`` for an unknown day), or ``n`` and ``uuuuuuuu`` when the record
  has no date (the seed article).

The 008 layout is Continuing Resources, the one Leader/06-07 ``ab`` (language
material, serial component part) selects.
"""

from __future__ import annotations

from typing import Final

from ...article import Article, PartialDate
from ..vocabularies import language

#: 05 n new, 06 a language material, 07 b serial component part, 09 a UCS/Unicode,
#: 17 3 abbreviated level, 18 i ISBD punctuation included; lengths and base address
#: are zero, as in MARCXML they describe no ISO 2709 record.
LEADER: Final = "00000nab a22000003i 4500"

#: 006 for the electronic aspect of the text: 00 m computer file, 06 o online,
#: 09 d document, 11 | government publication not coded; 05 blank, audience unknown.
ONLINE_006: Final = "m     o  d |      "

#: 007 for a computer file: 00 c electronic resource, 01 r remote; 03-13 not coded.
ONLINE_007: Final = "cr |||||||||||"

#: 008/24, nature of entire work, where the article type says it (else blank).
NATURE: Final[dict[str, str]] = {
    "book-review": "o",  # reviews
    "review-article": "n",  # surveys of literature in a subject area
}


def online(article: Article) -> bool:
    """Whether the record says the article is online: a landing page or a full text."""
    return article.url is not None or bool(article.files)


def dates(published: PartialDate | None) -> str:
    """008/06-14: type of date, Date 1 and Date 2."""
    if published is None:
        return "nuuuuuuuu"
    year = f"{published.year:04d}"
    if published.month is None:
        return f"s{year}    "
    day = "uu" if published.day is None else f"{published.day:02d}"
    return f"e{year}{published.month:02d}{day}"


def language_code(article: Article) -> str:
    """008/35-37: the first language the record names, as a MARC (ISO 639-2/B) code."""
    values = article.languages
    if not values:
        return "   "
    found = language(values[0])
    return found.bibliographic if found is not None else "und"


def field_008(article: Article) -> str:
    """The 40 positions of 008 for a serial component part."""
    return "".join(
        (
            "      ",  # 00-05 date entered on file: not known to the renderer
            dates(article.published),  # 06-14
            "xx ",  # 15-17 no place, unknown
            "||",  # 18 frequency, 19 regularity: the journal's, not coded
            " ",  # 20 undefined
            "||",  # 21 type of continuing resource, 22 form of original item
            "o" if online(article) else "|",  # 23 form of item
            NATURE.get(article.article_type, " "),  # 24 nature of entire work
            "|||",  # 25-27 nature of contents
            "||",  # 28 government publication, 29 conference publication
            "   ",  # 30-32 undefined
            "||",  # 33 original alphabet of title, 34 entry convention
            language_code(article),  # 35-37
            " ",  # 38 modified record: not modified
            "d",  # 39 cataloguing source: other (not a national agency)
        )
    )
