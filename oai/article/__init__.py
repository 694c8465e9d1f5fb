"""The article model: what a record says, checked once at load time, read by every format."""

from __future__ import annotations

from .model import (
    DC_ELEMENTS,
    Affiliation,
    Article,
    File,
    Funding,
    Pages,
    PartialDate,
    Person,
    Reviewed,
    Text,
)
from .parse import ARTICLE_KEYS, parse_article

__all__ = [
    "ARTICLE_KEYS",
    "DC_ELEMENTS",
    "Affiliation",
    "Article",
    "File",
    "Funding",
    "Pages",
    "PartialDate",
    "Person",
    "Reviewed",
    "Text",
    "parse_article",
]
