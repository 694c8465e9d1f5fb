"""``python -m bench.tokens``: microseconds to encode and decode one resumption token.

A harvest makes one token per page and reads one back, so this is the token's whole
cost per page. Each figure is CPU time of this process (``time.process_time``, so other
work on a shared machine does not count), the best of ``--repeat`` runs of ``--number``
calls, with the median beside it.
A few seconds in all; it touches no database and starts no server.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from datetime import datetime

from oai.tokens import ListState, TokenCodec

#: A mid-harvest ListRecords state with every field set, as a set-and-window harvest has.
STATE = ListState(
    verb="ListRecords",
    metadata_prefix="oai_dc",
    from_=datetime(2024, 1, 1),
    until=datetime(2026, 11, 30, 23, 59, 59),
    set_spec="journal:prometheus",
    after_datestamp=datetime(2025, 5, 6, 7, 8, 9),
    after_key="oai:prometheusjournal.co.uk:article/123456",
    cursor=123_400,
    complete_list_size=1_000_000,
    issued=1_764_547_200,
)


def _micros(run: object, number: int, repeat: int) -> tuple[float, float]:
    times = timeit.repeat(
        run,  # type: ignore[arg-type]
        number=number,
        repeat=repeat,
        timer=time.process_time,
    )
    per_call = [seconds / number * 1e6 for seconds in times]
    return min(per_call), statistics.median(per_call)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens", description=__doc__)
    parser.add_argument("--number", type=int, default=20_000, help="round trips per run")
    parser.add_argument("--repeat", type=int, default=7, help="runs")
    args = parser.parse_args(argv)
    codec = TokenCodec("a bench key of some length, as secrets.token_urlsafe(32) gives")
    token = codec.encode(STATE)
    assert codec.decode(token, STATE.verb) == STATE
    rows = {
        "encode": lambda: codec.encode(STATE),
        "decode": lambda: codec.decode(token, STATE.verb),
        "encode+decode": lambda: codec.decode(codec.encode(STATE), STATE.verb),
    }
    print(f"token: {len(token)} characters: {token}")
    for label, run in rows.items():
        best, median = _micros(run, args.number, args.repeat)
        print(f"{label:14} best {best:6.2f} µs   median {median:6.2f} µs")


if __name__ == "__main__":
    main()
