"""The article's texts in JATS: title group, abstracts and keywords, each in its language.

A text whose stated language differs from the main one is a translation
(``trans-title-group``, ``trans-abstract``, a ``kwd-group`` with ``xml:lang``); any other
further title or abstract is an alternative in the same language.
"""

from __future__ import annotations

from typing import Final

from ...article import Article, Text
from ..markup import NOTHING, Markup, Tag, tag


def _present(texts: tuple[Text, ...]) -> list[Text]:
    return [text for text in texts if text.value.strip()]


def _other_language(text: Text, main: str | None) -> bool:
    """A text in a stated language other than the main one's: a translation."""
    return text.lang is not None and text.lang.lower() != (main or "").lower()


_TITLE_GROUP: Final = Tag("title-group")
_TRANS_TITLE: Final = Tag("trans-title")


def title_group(article: Article, lang: str | None) -> Markup:
    main, *others = _present(article.titles)
    main_lang = main.lang or lang
    translated = [
        tag("trans-title-group", ("xml:lang", text.lang)).node([_TRANS_TITLE.leaf(text.value)])
        for text in others
        if _other_language(text, main_lang)
    ]
    alternative = [
        tag("alt-title", ("xml:lang", text.lang)).leaf(text.value)
        for text in others
        if not _other_language(text, main_lang)
    ]
    title = tag("article-title", ("xml:lang", main.lang)).leaf(main.value)
    return _TITLE_GROUP.node([title, *translated, *alternative])


_P: Final = Tag("p")


def abstracts(article: Article, lang: str | None) -> Markup:
    """The first abstract; others in another language are ``trans-abstract`` (which the schema
    puts after every ``abstract``), the rest further ``abstract`` elements."""
    texts = _present(article.abstracts)
    if not texts:
        return NOTHING
    main_lang = texts[0].lang or lang
    same_language = []
    translations = []
    for text in texts:
        paragraph = [_P.leaf(text.value)]
        if text is not texts[0] and _other_language(text, main_lang):
            translations.append(tag("trans-abstract", ("xml:lang", text.lang)).node(paragraph))
        else:
            same_language.append(tag("abstract", ("xml:lang", text.lang)).node(paragraph))
    return Markup("".join(same_language) + "".join(translations))


_KWD: Final = Tag("kwd")


def keywords(article: Article, lang: str | None) -> Markup:
    """One ``kwd-group`` per language, without ``xml:lang`` for the article's own (JATS4R)."""
    groups: dict[str | None, list[Markup]] = {}
    for text in _present(article.keywords):
        key = text.lang if _other_language(text, lang) else None
        groups.setdefault(key, []).append(_KWD.leaf(text.value))
    return Markup(
        "".join(
            tag("kwd-group", ("kwd-group-type", "author"), ("xml:lang", key)).node(kwds)
            for key, kwds in groups.items()
        )
    )
