"""What a careless endpoint does: the pieces the defects of test_check_defects.py are made of.

A :class:`Rewrite` changes the request before the correct endpoint sees it, or its reply
after; the functions below are the changes. Each states its own facts (which element,
which value) and knows nothing of the checker.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from lxml import etree

from .brokenoai import DC, OAI_DC, PAGE_SIZE, Call, Defect, Endpoint, Reply, q, set_echo
from .variants import PART, error_reply

OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LISTS = ("ListIdentifiers", "ListRecords")
VERBS = ("Identify", "ListMetadataFormats", "ListSets", "GetRecord", *LISTS)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

Change = Callable[[etree._Element, Call], None]


class Rewrite(Defect):
    """A defect made of an optional call rewrite and an optional XML change of the reply."""

    def __init__(
        self,
        when: Callable[[Call], bool] = lambda call: True,
        call: Callable[[Endpoint, Call], Call | Reply] | None = None,
        change: Change | None = None,
        reply: Callable[[Endpoint, Call, Reply], Reply] | None = None,
    ) -> None:
        self.when, self._call, self._change, self._reply = when, call, change, reply
        self.state: dict[str, Any] = {}

    def call(self, ep: Endpoint, call: Call) -> Call | Reply:
        if self._call is not None and self.when(call):
            return self._call(ep, call)
        return call

    def reply(self, ep: Endpoint, call: Call, reply: Reply) -> Reply:
        if not self.when(call):
            return reply
        if self._reply is not None:
            reply = self._reply(ep, call, reply)
        if self._change is not None and reply.body.lstrip().startswith(b"<"):
            change = self._change
            reply = reply.edit(lambda root: change(root, call))
        return reply


def verb(*names: str) -> Callable[[Call], bool]:
    return lambda call: call.verb in names


def resumed(*names: str) -> Callable[[Call], bool]:
    return lambda call: call.verb in names and call.arg("resumptionToken") is not None


def forwarded(ep: Endpoint, original: Call, inner: Call) -> Reply:
    """``inner`` answered as if ``original`` had been asked (its echo restored)."""
    return ep.forward(inner).edit(lambda root: set_echo(root, original))


def set_text(tag: str, value: str) -> Change:
    def change(root: etree._Element, call: Call) -> None:
        for element in root.iter(q(tag)):
            element.text = value

    return change


def bump(attribute: str) -> Callable[[etree._Element], None]:
    def change(token: etree._Element) -> None:
        if token.get(attribute) is not None:
            token.set(attribute, str(int(token.get(attribute) or 0) + 1))

    return change


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return False
    return bool(DAY.fullmatch(value) or SECONDS.fullmatch(value))


# --- stateful defects ------------------------------------------------------------------


def repeat_first_page(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    """The second page of a list comes back holding the first page's items."""
    state = ep.defect.state  # type: ignore[attr-defined]
    kind = "header" if call.verb == "ListIdentifiers" else "record"

    def change(root: etree._Element) -> None:
        body = root.find(q(call.verb or ""))
        if body is None:
            return
        items = body.findall(q(kind))
        token = body.find(q("resumptionToken"))
        if call.arg("resumptionToken") is None:
            state[call.verb] = [copy.deepcopy(i) for i in items]
        elif token is not None and token.get("cursor") == str(PAGE_SIZE) and state.get(call.verb):
            for item in items:
                body.remove(item)
            for position, item in enumerate(state[call.verb]):
                body.insert(position, copy.deepcopy(item))

    return reply.edit(change)


def lenient_token(ep: Endpoint, call: Call) -> Call | Reply:
    """An unknown token is taken for the issued token it most resembles."""
    token = call.arg("resumptionToken") or ""
    if token in ep.issued:
        return call

    def distance(other: str) -> int:
        if other.startswith(token):
            return 0
        if len(other) != len(token):
            return 10**6
        return sum(a != b for a, b in zip(other, token, strict=True))

    best = min(ep.issued, key=distance, default=None)
    if best is None or distance(best) > 3:
        return call
    return forwarded(ep, call, call.with_args(resumptionToken=best))


def cross_verb(ep: Endpoint, call: Call) -> Call | Reply:
    """A token of the other list verb is served as if it were this verb's."""
    token = call.arg("resumptionToken") or ""
    issuer = ep.issued.get(token)
    if issuer not in LISTS or issuer == call.verb:
        return call
    reply = ep.forward(call.with_args(verb=issuer))

    def convert(root: etree._Element) -> None:
        body = root.find(q(issuer or ""))
        if body is None:
            return
        body.tag = q(call.verb or "")
        for record in body.findall(q("record")):
            header = record.find(q("header"))
            assert header is not None
            if call.verb == "ListIdentifiers":
                body.replace(record, header)
        for header in body.findall(q("header")):
            if call.verb == "ListRecords":
                record = etree.Element(q("record"))
                body.replace(header, record)
                record.append(header)
        set_echo(root, call)

    return reply.edit(convert)


def not_idempotent(ep: Endpoint, call: Call) -> Call | Reply:
    """The second time a token comes, it is answered with the page after its own."""
    state = ep.defect.state  # type: ignore[attr-defined]
    token = call.arg("resumptionToken") or ""
    seen = state.setdefault("seen", set())
    if token in seen and ep.following.get(token):
        return forwarded(ep, call, call.with_args(resumptionToken=ep.following[token]))
    seen.add(token)
    return call


def first_fails(status: str, retry_after: str | None, times: int) -> Callable[..., Reply | Call]:
    """The first ``times`` ListSets requests get ``status`` (with Retry-After if given)."""

    def call(ep: Endpoint, call: Call) -> Call | Reply:
        state = ep.defect.state  # type: ignore[attr-defined]
        state["failed"] = state.get("failed", 0) + 1
        if state["failed"] > times:
            return call
        headers = [("Content-Type", "text/plain")]
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        return Reply(status, headers, b"busy\n")

    return call


def _shift_day(value: str) -> str:
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()


# --- what each defect does to a request or a reply ----------------------------------------


def bad_dates(call: Call) -> bool:
    return any(not _is_date(v) for k, v in call.pairs if k in ("from", "until"))


def crash(ep: Endpoint, call: Call) -> Reply:
    return Reply("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")], b"<p>Traceback")


def bogus_dc(root: etree._Element, call: Call) -> None:
    for dc in root.iter(f"{{{OAI_DC}}}dc"):
        etree.SubElement(dc, f"{{{DC}}}bogus").text = "not a Dublin Core element"


def not_one_legal_verb(call: Call) -> bool:
    verbs = [v for k, v in call.pairs if k == "verb"]
    return len(verbs) != 1 or verbs[0] not in VERBS


def as_identify(ep: Endpoint, call: Call) -> Call:
    return Call(call.method, (("verb", "Identify"),))


def recode(old: str, new: str, only: Callable[[Call], bool] = lambda call: True) -> Change:
    def change(root: etree._Element, call: Call) -> None:
        for error in root.findall(q("error")):
            if error.get("code") == old and only(call):
                error.set("code", new)

    return change


def day_dates(call: Call) -> bool:
    return any(k in ("from", "until") and DAY.fullmatch(v) for k, v in call.pairs)


def midnight(ep: Endpoint, call: Call) -> Reply:
    moved = {
        k: v + "T00:00:00Z" for k, v in call.pairs if k in ("from", "until") and DAY.fullmatch(v)
    }
    return forwarded(ep, call, call.with_args(**moved))


def as_html(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    return Reply(reply.status, [("Content-Type", "text/html; charset=utf-8")], reply.body)


def drop_record(root: etree._Element, call: Call) -> None:
    for record in list(root.iter(q("record"))):
        if record.findtext(f"{q('header')}/{q('identifier')}") == "oai:example.org:item/04":
            _drop_item(record.find(q("header")))


def description(tag: str, value: str | None) -> Change:
    """Set the oai-identifier's ``tag`` to ``value``; None adds an element it may not hold."""

    def change(root: etree._Element, call: Call) -> None:
        for element in root.iter(f"{{{OAI_IDENTIFIER}}}oai-identifier"):
            if value is None:
                etree.SubElement(element, f"{{{OAI_IDENTIFIER}}}bogus")
                continue
            target = element.find(f"{{{OAI_IDENTIFIER}}}{tag}")
            assert target is not None
            target.text = value

    return change


def _error_code(root: etree._Element) -> str | None:
    error = root.find(q("error"))
    return None if error is None else error.get("code")


def echo_on_bad_argument(root: etree._Element, call: Call) -> None:
    request = root.find(q("request"))
    if request is not None and _error_code(root) == "badArgument" and call.verb in VERBS:
        request.set("verb", call.verb or "")


def echo_without_prefix(root: etree._Element, call: Call) -> None:
    request = root.find(q("request"))
    if request is not None and _error_code(root) is None:
        request.attrib.pop("metadataPrefix", None)


def no_schema_location(root: etree._Element, call: Call) -> None:
    root.attrib.pop(f"{{{XSI}}}schemaLocation", None)


def cut_short(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    return Reply(reply.status, reply.headers, reply.body[:-20])


def latin1(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    body = etree.tostring(reply.tree(), xml_declaration=True, encoding="ISO-8859-1")
    return Reply(reply.status, reply.headers, body)


def bogus_envelope(root: etree._Element, call: Call) -> None:
    root.insert(2, etree.Element(q("oaiCheckBogus")))


def refuse_post(ep: Endpoint, call: Call) -> Reply:
    return Reply("405 METHOD NOT ALLOWED", [("Content-Type", "text/plain")], b"no POST\n")


def false_gzip(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    return Reply(reply.status, reply.headers + [("Content-Encoding", "gzip")], b"not gzip")


def deleted_with_metadata(root: etree._Element, call: Call) -> None:
    for record in root.iter(q("record")):
        header = record.find(q("header"))
        if header is not None and header.get("status") == "deleted":
            _add_metadata(record)


def other_title(root: etree._Element, call: Call) -> None:
    for title in root.iter(f"{{{DC}}}title"):
        title.text = "Another title"


def lose_a_set(root: etree._Element, call: Call) -> None:
    for header in root.iter(q("header")):
        specs = header.findall(q("setSpec"))
        if specs:
            header.remove(specs[-1])


def tokens(change: Callable[[etree._Element, Call], None]) -> Change:
    """Apply ``change`` to every non-empty resumptionToken (or, for None, every empty one)."""

    def apply(root: etree._Element, call: Call) -> None:
        for token in list(root.iter(q("resumptionToken"))):
            change(token, call)

    return apply


def drop_empty_token(token: etree._Element, call: Call) -> None:
    if not token.text:
        parent = token.getparent()
        assert parent is not None
        parent.remove(token)


def expired_token(token: etree._Element, call: Call) -> None:
    if token.text:
        token.set("expirationDate", "2001-01-01T00:00:00Z")


def loop_token(token: etree._Element, call: Call) -> None:
    if token.text:
        token.text = call.arg("resumptionToken")


def reversed_token(token: etree._Element, call: Call) -> None:
    if token.text:
        token.text = "x" + token.text[::-1]


def bump_cursor(token: etree._Element, call: Call) -> None:
    bump("cursor")(token)


def bump_size(token: etree._Element, call: Call) -> None:
    bump("completeListSize")(token)


def ignore_bad_dates(ep: Endpoint, call: Call) -> Reply:
    dropped = {k: None for k, v in call.pairs if k in ("from", "until") and not _is_date(v)}
    return forwarded(ep, call, call.with_args(**dropped))


def prefix_other_than(*prefixes: str) -> Callable[[Call], bool]:
    return lambda call: call.arg("metadataPrefix") not in (None, *prefixes)


def as_oai_dc(ep: Endpoint, call: Call) -> Reply:
    return forwarded(ep, call, call.with_args(metadataPrefix="oai_dc"))


def formats_of_record(call: Call) -> bool:
    return call.verb == "ListMetadataFormats" and call.arg("identifier") is not None


def no_formats(ep: Endpoint, call: Call, reply: Reply) -> Reply:
    return reply if reply.errors else error_reply(ep, call, "noMetadataFormats")


def forget_part(root: etree._Element, call: Call) -> None:
    for entry in list(root.iter(q("metadataFormat"))):
        if entry.findtext(q("metadataPrefix")) == PART.prefix:
            entry.getparent().remove(entry)


def parents(call: Call) -> bool:
    return call.arg("set") in ("journal", "journal:one")


def forget_subsets(root: etree._Element, call: Call) -> None:
    below = (call.arg("set") or "") + ":"
    for header in list(root.iter(q("header"))):
        if any((s.text or "").startswith(below) for s in header.findall(q("setSpec"))):
            _drop_item(header)


def ignore_set(ep: Endpoint, call: Call) -> Reply:
    return forwarded(ep, call, call.with_args(set=None))


def undeclare(root: etree._Element, call: Call) -> None:
    for entry in list(root.iter(q("set"))):
        if entry.findtext(q("setSpec")) == "type":
            entry.getparent().remove(entry)


def duplicate(container: str, child: str) -> Change:
    def change(root: etree._Element, call: Call) -> None:
        for body in root.iter(q(container)):
            first = body.find(q(child))
            if first is not None:
                body.insert(0, copy.deepcopy(first))

    return change


def seconds_until(call: Call) -> bool:
    return any(k == "until" and SECONDS.fullmatch(v) for k, v in call.pairs)


def until_midnight(ep: Endpoint, call: Call) -> Reply:
    until = (call.arg("until") or "")[:10] + "T00:00:00Z"
    return forwarded(ep, call, call.with_args(until=until))


def from_a_day_only(call: Call) -> bool:
    day = call.arg("from") or ""
    only = call.verb in LISTS and call.arg("until") is None
    return only and DAY.fullmatch(day) is not None and _is_date(day)


def next_day(ep: Endpoint, call: Call) -> Reply:
    return forwarded(ep, call, call.with_args(**{"from": _shift_day(call.arg("from") or "")}))


def _add_metadata(record: etree._Element) -> None:
    metadata = etree.SubElement(record, q("metadata"))
    dc = etree.SubElement(metadata, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    etree.SubElement(dc, f"{{{DC}}}title").text = "Not deleted after all"


def _drop_item(header: etree._Element | None) -> None:
    """Remove a header from a ListIdentifiers page, or its record from a ListRecords page."""
    assert header is not None
    parent = header.getparent()
    assert parent is not None
    if parent.tag == q("record"):
        grand = parent.getparent()
        assert grand is not None
        grand.remove(parent)
    else:
        parent.remove(header)


def on_call(
    when: Callable[[Call], bool], call: Callable[[Endpoint, Call], Call | Reply]
) -> Rewrite:
    return Rewrite(when, call=call)
