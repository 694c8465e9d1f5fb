"""Who may read the article and where, in JATS: permissions (access, licence) and self-uris.

ALI's ``free_to_read`` says open access (with ``start_date`` when an embargo ends), the
licence URI goes in ``ali:license_ref``, and every ``self-uri`` says what it links to
(JATS4R).
"""

from __future__ import annotations

from typing import Final

from ...article import Article
from ..markup import NOTHING, Markup, Tag, bare, leaf, tag

#: Link text of a full text by MIME type (JATS4R: every link says what it links to).
FILE_KINDS: Final[dict[str, str]] = {
    "application/pdf": "PDF",
    "text/html": "HTML",
    "application/xhtml+xml": "HTML",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/epub+zip": "EPUB",
}
LANDING_PAGE_TEXT: Final = "Article page"


_FREE_TO_READ: Final = bare("ali:free_to_read")
_PERMISSIONS: Final = Tag("permissions")
_LICENSE_REF: Final = Tag("ali:license_ref")


def permissions(article: Article, lang: str | None) -> Markup:
    if article.access == "open":
        free = _FREE_TO_READ
    elif article.access == "embargoed" and article.embargo_until is not None:
        free = bare("ali:free_to_read", ("start_date", article.embargo_until.iso))
    else:
        free = NOTHING
    # A repository has a handful of licence URLs: tag() keeps each license element's tag.
    licence = tag("license", ("xlink:href", article.license)).node(
        [_LICENSE_REF.leaf(article.license)]
    )
    return _PERMISSIONS.node([free, licence])


def self_uris(article: Article, lang: str | None) -> Markup:
    landing = (
        leaf("self-uri", LANDING_PAGE_TEXT, ("xlink:href", article.url)) if article.url else NOTHING
    )
    files = [
        leaf(
            "self-uri",
            f"Full text ({FILE_KINDS.get(file.mime, file.mime)})",
            ("content-type", file.mime),
            ("xlink:href", file.url),
        )
        for file in article.files
    ]
    return Markup(landing + "".join(files))
