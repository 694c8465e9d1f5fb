"""Pages or an article number: the one rule every format applies to a record's ``pages``.

INTERFACE.md's ``pages`` is a page range (``69-87``), one page, or an article number
(``e1234``), and the formats have a place for each: JATS ``fpage``/``lpage`` or
``elocation-id``, MODS ``extent unit="pages"`` or ``detail type="article"``, DataCite
``firstPage``/``lastPage`` or ``number numberType="Article"``, MARC 773 $g ``p. 69-87``
or the number alone. A single value of letters then digits (``e1234``, ``S12``,
``ar42``: the electronic location numbers publishers give) is an article number;
digits, a roman numeral (``xii``, the front matter's pages), ``12a`` and every range
are pages.
"""

from __future__ import annotations

import re
from typing import Final

from ..article import Pages

_ARTICLE_NUMBER: Final = re.compile(r"[A-Za-z]+[0-9]+", re.ASCII)


def article_number(pages: Pages | None) -> str | None:
    """The article number ``pages`` gives, or None when it gives pages (or nothing)."""
    if pages is None or pages.last is not None:
        return None
    return pages.first if _ARTICLE_NUMBER.fullmatch(pages.first) else None
