"""The endpoint's responses, recorded once, for the ceiling to serve as static bytes.

Before the timed rounds every request a workload will make is sent to the
endpoint once (:func:`record`) and its response kept: the body exactly as it came (compressed when
the client asked for gzip), the headers of :data:`bench.harvest.KEPT_HEADERS`, and
the key the ceiling finds it by, ``(query string, asked for gzip)``. Bodies go to
one file, one after the other; ``FILE.index`` (JSON) says where each one is.
A request recorded twice keeps its first response.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from .harvest import Client, Harvest, Reply, check, harvest, list_query, token_query
from .plan import Plan
from .servers import RSSSampler, RSSWindow

#: (query string, asked for gzip) -> (offset, length, headers).
Index = dict[tuple[str, bool], tuple[int, int, list[tuple[str, str]]]]


@dataclass
class Recorder:
    """Appends responses to ``path`` and writes ``path.index`` on close."""

    path: Path

    def __post_init__(self) -> None:
        self._out = self.path.open("wb")
        self._index: Index = {}
        self.size = 0

    def add(self, query: str, gzip: bool, reply: Reply) -> None:
        """Keep ``reply`` as the answer to ``query`` (the first one kept wins)."""
        key = (query, gzip)
        if key in self._index:
            return
        self._out.write(reply.body)
        self._index[key] = (self.size, len(reply.body), list(reply.headers))
        self.size += len(reply.body)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: tuple[str, bool]) -> bool:
        return key in self._index

    def close(self) -> None:
        self._out.close()
        entries = [[q, g, o, n, h] for (q, g), (o, n, h) in self._index.items()]
        index_path(self.path).write_text(json.dumps(entries), "utf-8")

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def index_path(path: Path) -> Path:
    return path.with_name(path.name + ".index")


def read_index(path: Path) -> Index:
    """What :meth:`Recorder.close` wrote for the responses in ``path``."""
    entries = json.loads(index_path(path).read_text("utf-8"))
    return {(q, g): (o, n, [(k, v) for k, v in h]) for q, g, o, n, h in entries}


@dataclass
class Recorded:
    """What the recording pass saw: the figures every timed run must reproduce."""

    #: First query -> the harvest of that list (plain), or of its gzip variant.
    lists: dict[str, Harvest] = field(default_factory=dict)
    gzip_lists: dict[str, Harvest] = field(default_factory=dict)
    #: The endpoint's workers' RSS over its first full harvest.
    first_harvest_rss: RSSWindow | None = None

    def page_queries(self, first: str) -> dict[str, str]:
        """The first, second and 99% page of a recorded list, as queries."""
        tokens = self.lists[first].tokens
        verb = first.split("&", 1)[0].removeprefix("verb=")
        queries = {"first": first}
        if len(tokens) > 1:
            queries["second"] = token_query(tokens[1], verb)
            queries["deep"] = token_query(
                tokens[min(len(tokens) - 1, int(len(tokens) * 0.99))], verb
            )
        return queries


def record(plan: Plan, client: Client, recorder: Recorder, rss: RSSSampler) -> Recorded:
    """Send every request of ``plan`` to the endpoint once, keeping each response."""
    seen = Recorded()
    for prefix in plan.formats:
        first = list_query("ListRecords", prefix)
        print(f"recording: full harvest of {prefix} ...", file=sys.stderr)
        start = rss.now()
        seen.lists[first] = harvest(client, first, sink=recorder.add)
        if seen.first_harvest_rss is None:
            seen.first_harvest_rss = rss.window(start, rss.now())
    for prefix in plan.gzip_formats:
        first = list_query("ListRecords", prefix)
        print(f"recording: full harvest of {prefix}, gzip ...", file=sys.stderr)
        seen.gzip_lists[first] = harvest(client, first, gzip=True, sink=recorder.add)
    print("recording: selective harvest, set lists, GetRecords, the mix ...", file=sys.stderr)
    if plan.selective not in seen.lists:
        seen.lists[plan.selective] = harvest(client, plan.selective, sink=recorder.add)
    for first in plan.page_lists.values():
        # Only three pages of a set's list are timed: walk it for their tokens, keep those.
        if first not in seen.lists:
            seen.lists[first] = harvest(client, first)
        for query in seen.page_queries(first).values():
            if (query, False) not in recorder:
                recorder.add(query, False, check(client.get(query), query))
    for query in plan.getrecords:
        recorder.add(query, False, check(client.get(query), query))
    for query in dict.fromkeys(plan.mix):
        recorder.add(query, True, check(client.get(query, gzip=True), query))
    return seen
