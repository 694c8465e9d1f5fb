"""Titles and abstracts with markup (JATS, Crossref face markup, MathML) as plain text.

Every format the repository serves takes a title or abstract as text, so markup
is read, not copied: italics and bold become their words; super- and subscripts
become Unicode super- and subscript characters when every character has one
(``CO₂``, ``m²``), else their plain text; MathML becomes its ``alttext`` when the
author gave one, else a linear form (``x²``, ``(a+b)/c``, ``√(x)``); a TeX
alternative stands for a formula without MathML. Paragraphs, sections and list
items become paragraphs, separated by a blank line; footnote marks, labels,
figures and tables are left out. Whitespace inside a paragraph is collapsed.
"""

from __future__ import annotations

import re

from lxml import etree

MATHML = "http://www.w3.org/1998/Math/MathML"

#: Elements that end a paragraph before and after them.
_BLOCKS = frozenset(
    "p sec title list list-item def-list def-item disp-quote boxed-text statement "
    "speech verse-group verse-line".split()
)
#: Elements left out with what they hold.
_DROPPED = frozenset(
    "label fn fn-group table-wrap table fig fig-group graphic media alt-text "
    "long-desc object-id permissions ref-list contrib-group".split()
)
_SPACE = re.compile(r"\s+")
_SUPERSCRIPT = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPERSCRIPTABLE = frozenset("0123456789+-=()ni")
_SUBSCRIPTABLE = frozenset("0123456789+-=()")


def local_name(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _namespace(element: etree._Element) -> str | None:
    namespace = etree.QName(element).namespace
    return None if namespace is None else str(namespace)


def script(text: str, kind: str, mark: str = "") -> str:
    """``text`` as superscript (``kind="sup"``) or subscript characters when all have one."""
    allowed = _SUPERSCRIPTABLE if kind == "sup" else _SUBSCRIPTABLE
    if text and set(text) <= allowed:
        return text.translate(_SUPERSCRIPT if kind == "sup" else _SUBSCRIPT)
    return f"{mark}{_group(text)}" if mark else text


def _group(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


class _Paragraphs:
    def __init__(self) -> None:
        self.done: list[str] = []
        self.current: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.current.append(text)

    def end(self) -> None:
        text = _SPACE.sub(" ", "".join(self.current)).strip()
        if text:
            self.done.append(text)
        self.current = []


def text_of(element: etree._Element, *, skip_heading: bool = False, inline: bool = False) -> str:
    """The text ``element`` holds; paragraphs joined by a blank line, or by a space if ``inline``.

    ``skip_heading`` leaves out a leading ``<title>`` (an abstract's "Abstract").
    """
    out = _Paragraphs()
    out.add(element.text)
    for index, child in enumerate(element):
        if not (skip_heading and index == 0 and local_name(child) == "title"):
            _node(child, out)
        out.add(child.tail)
    out.end()
    return (" " if inline else "\n\n").join(out.done)


def _children(element: etree._Element, out: _Paragraphs) -> None:
    out.add(element.text)
    for child in element:
        _node(child, out)
        out.add(child.tail)


def _node(element: etree._Element, out: _Paragraphs) -> None:
    if not isinstance(element.tag, str):  # an entity or other non-element node
        return
    if _namespace(element) == MATHML:
        out.add(math(element))
        return
    name = local_name(element)
    if name in _DROPPED or (name == "xref" and element.get("ref-type") in ("fn", "table-fn")):
        return
    if name in ("sup", "sub"):
        out.add(script(text_of(element, inline=True), name))
    elif name in ("inline-formula", "disp-formula", "alternatives"):
        out.add(_formula(element))
    elif name == "tex-math":
        out.add("".join(element.itertext()))
    elif name == "break":
        out.add(" ")
    elif name in _BLOCKS:
        out.end()
        _children(element, out)
        out.end()
    else:
        _children(element, out)


def _formula(element: etree._Element) -> str:
    """A formula's MathML if it has some, else its TeX, else its text."""
    for candidate in element.iter(f"{{{MATHML}}}math"):
        return math(candidate)
    for candidate in element.iter():
        if isinstance(candidate.tag, str) and local_name(candidate) == "tex-math":
            return "".join(candidate.itertext()).strip()
    return text_of(element, inline=True)


def math(element: etree._Element) -> str:
    """A MathML element as text: its ``alttext`` if given, else a linear form."""
    alttext = str(element.get("alttext") or "").strip()
    if local_name(element) == "math" and alttext:
        return alttext
    return _mml(element)


def _mml(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    name = local_name(element)
    if name in ("mi", "mn", "mo", "mtext", "ms"):
        return _SPACE.sub(" ", "".join(element.itertext())).strip()
    if name in ("annotation", "annotation-xml"):
        return ""
    parts = [_mml(kid) for kid in element if isinstance(kid.tag, str)]
    if name == "mspace":
        return " "
    if name == "semantics":
        return parts[0] if parts else ""
    if name == "msup" and len(parts) == 2:
        return parts[0] + script(parts[1], "sup", "^")
    if name == "msub" and len(parts) == 2:
        return parts[0] + script(parts[1], "sub", "_")
    if name == "msubsup" and len(parts) == 3:
        return parts[0] + script(parts[1], "sub", "_") + script(parts[2], "sup", "^")
    if name == "mfrac" and len(parts) == 2:
        return f"{_group(parts[0])}/{_group(parts[1])}"
    if name == "msqrt":
        return f"√{_group(''.join(parts))}"
    if name == "mroot" and len(parts) == 2:
        return f"{script(parts[1], 'sup', '^')}√{_group(parts[0])}"
    if name == "mfenced":
        opening, closing = str(element.get("open", "(")), str(element.get("close", ")"))
        return opening + str(element.get("separators", ","))[:1].join(parts) + closing
    return "".join(parts)
