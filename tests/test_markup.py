"""formats.markup: the functions every renderer makes markup with.

``Tag`` is the one way a renderer writes an element whose attributes are constant;
it must write exactly what ``leaf``, ``node`` and ``bare`` write, for any value and
any attributes, so that choosing it for speed never changes a byte.
"""

from __future__ import annotations

import pytest
from lxml import etree

from oai.formats.markup import Attribute, Markup, Tag, bare, given, leaf, node, tag

ATTRS = (("kind", 'a "quoted" & <odd> value'), ("lang", "en"), ("unset", None))
ATTRIBUTES: list[tuple[Attribute, ...]] = [
    (),
    (("type", "family"),),
    (("type", None), ("lang", "eng"), ("xml:lang", "en")),
    (("displayLabel", 'Full "text" <&>\n\t'), ("xlink:href", "https://e.org/?a=1&b=2")),
    ATTRS,
]
VALUES = [
    None,
    "",
    "  \t\n",
    "plain",
    "<i>in vivo</i> & E > 1",
    "control \x01 char",
    "line\r\nbreak",
    "Ørsted 李",
    '<i>x</i> & ]]> "q" \r\n \x00 \ud800 \uffff é \U0001f600',
]
CHILDREN = [
    [],
    [Markup("")],
    [Markup(""), Markup("<a>1</a>")],
    [Markup("<a/>"), Markup("<b/>")],
]


def _ids(attrs: tuple[Attribute, ...]) -> str:
    return repr(attrs)[:40]


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=_ids)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_tag_leaf_writes_what_leaf_writes(attrs: tuple[Attribute, ...], value: str | None) -> None:
    assert Tag("kwd", *attrs).leaf(value) == leaf("kwd", value, *attrs)


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=_ids)
@pytest.mark.parametrize("value", [v for v in VALUES if v is not None], ids=repr)
def test_tag_given_writes_what_given_writes(attrs: tuple[Attribute, ...], value: str) -> None:
    assert Tag("dc:title", *attrs).given(value) == given("dc:title", value, *attrs)


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=_ids)
@pytest.mark.parametrize("children", CHILDREN, ids=repr)
def test_tag_node_writes_what_node_writes(
    attrs: tuple[Attribute, ...], children: list[Markup]
) -> None:
    assert Tag("name", *attrs).node(children) == node("name", children, *attrs)
    assert Tag("name", *attrs).node(iter(children)) == node("name", children, *attrs)


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=_ids)
def test_tag_empty_is_bare(attrs: tuple[Attribute, ...]) -> None:
    assert Tag("xref", *attrs).empty == bare("xref", *attrs)


@pytest.mark.parametrize("value", [None, "", "   \n"])
def test_no_value_and_no_children_write_nothing(value: str | None) -> None:
    assert Tag("kwd", *ATTRS).leaf(value) == ""
    assert Tag("a", *ATTRS).node([Markup(""), Markup("")]) == ""


def test_attribute_values_read_back_as_given() -> None:
    element = etree.fromstring(Tag("kwd", *ATTRS).leaf("x"))
    assert element.get("kind") == 'a "quoted" & <odd> value'
    assert element.get("lang") == "en"
    assert element.get("unset") is None
    assert element.text == "x"


@pytest.mark.parametrize("attrs", ATTRIBUTES, ids=_ids)
def test_tag_keeps_one_tag_per_attributes(attrs: tuple[Attribute, ...]) -> None:
    assert tag("kwd", *attrs) is tag("kwd", *attrs)
    assert tag("kwd", *attrs).leaf("x") == leaf("kwd", "x", *attrs)
    assert tag("kwd", ("xml:lang", "en")) is not tag("kwd", ("xml:lang", "de"))
