"""The next page of a list, prepared while the harvester is still reading this one.

A harvest is a chain of requests: the harvester asks for a page, reads and parses
it, then asks for the next with the token it found. Served strictly in turn, the
server waits while the harvester works and the harvester waits while the server
queries. Having answered a page, a worker already knows the next request (the
token it just issued), so once the page is sent (service.Answer.after) it starts the
next page's query in a background thread; if the request reaches this process,
it takes the result instead of querying again.

What a page holds does not change: a prefetched page is the same keyset page of
the same snapshot, read moments earlier. A record that changes in between keeps
its old version on this page and is collected by the next incremental harvest,
as any change made during a harvest is. Tokens stay stateless: a request that
lands on another process (or finds nothing here) is answered as it always was.

Prefetching only uses idle time: one page at a time per process, skipped while one
is running, and at most ``capacity`` finished pages are kept, none for longer than
``max_age`` seconds.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Connection, Engine

from . import protocol, store, verbs
from .config import Settings
from .tokens import ListState, TokenCodec

#: Finished pages kept for harvesters that have not asked yet.
CAPACITY = 16
#: Seconds a prefetched page may wait; an older one is read again when asked for.
MAX_AGE = 30.0
#: Seconds a request waits for a page still being read ahead before reading it itself:
#: a read-ahead stuck on a slow database must not hold the harvester longer than its own
#: query would.
TAKE_TIMEOUT = 1.0


def list_page(
    engine: Engine, settings: Settings, codec: TokenCodec, request: protocol.ListItems
) -> verbs.ItemsResult:
    """One resumed page, read on a connection of its own."""

    def read(connection: Connection) -> verbs.ItemsResult:
        return verbs.list_items(verbs.Context(connection, settings, codec), request)

    return store.read(engine, read)


class Prefetcher:
    """Pages computed ahead of their request, keyed by the list state their token carries."""

    def __init__(
        self,
        compute: Callable[[protocol.ListItems], verbs.ItemsResult],
        capacity: int = CAPACITY,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = TAKE_TIMEOUT,
    ) -> None:
        self._compute = compute
        self.capacity = capacity
        self.max_age = max_age
        self._clock = clock
        self.timeout = timeout
        self._lock = threading.Lock()
        self._waiting: OrderedDict[ListState, tuple[float, Future[verbs.ItemsResult]]] = (
            OrderedDict()
        )
        self._running = False
        self._current: Future[verbs.ItemsResult] | None = None
        self._closed = False
        #: Requests answered with a page read ahead (for tests and curiosity).
        self.served = 0
        # Made on first use, so a server that forks workers after building the app
        # never carries a thread across the fork.
        self._executor: ThreadPoolExecutor | None = None

    def start(self, state: ListState) -> bool:
        """Begin reading the page ``state`` starts, unless busy or begun; whether it began."""
        with self._lock:
            if self._closed or self._running or state in self._waiting:
                return False
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="oai-prefetch")
            self._running = True
            future = self._executor.submit(self._run, protocol.ListItems.resumed(state))
            self._waiting[state] = (self._clock(), future)
            self._current = future
            while len(self._waiting) > self.capacity:
                self._waiting.popitem(last=False)
            return True

    def _run(self, request: protocol.ListItems) -> verbs.ItemsResult:
        try:
            return self._compute(request)
        finally:
            with self._lock:
                self._running = False

    def take(self, state: ListState) -> verbs.ItemsResult | None:
        """The page ``state`` starts if it was prefetched (waiting up to ``timeout`` seconds
        for it if still running).

        None when it was not, is too old, failed or is not ready in time: the caller then
        reads it itself, and meets the same error (an OAI error, an unavailable database)
        if it persists.
        """
        with self._lock:
            entry = self._waiting.pop(state, None)
        if entry is None:
            return None
        started, future = entry
        try:
            result = future.result(timeout=self.timeout)
        except Exception:  # noqa: BLE001 -- a failure or a timeout: the caller reads it itself
            return None
        if self._clock() - started > self.max_age:
            return None
        self.served += 1
        return result

    def wait(self) -> None:
        """Until the page being read ahead, if any, is read (tests use it)."""
        current = self._current
        if current is not None:
            concurrent.futures.wait([current])

    def close(self) -> None:
        """Stop prefetching and wait for a running page (its connection goes back to the pool)."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
