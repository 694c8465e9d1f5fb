"""A smoke run of ``python -m bench`` on a tiny corpus: every workload runs end to end.

Timings at this size mean nothing and are not checked; the counts are, against
what the test reads from the corpus itself.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

from bench import corpus

RECORDS = 400
PAGE_SIZE = 20
GETRECORDS = 20
SIX_FORMATS = {"oai_dc", "oai_openaire", "marcxml", "oai_datacite", "jats", "mods"}


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    first = corpus.write(tmp_path / "a.jsonl", 120).read_bytes()
    second = corpus.write(tmp_path / "b.jsonl", 120).read_bytes()
    assert first == second
    lines = [json.loads(line) for line in first.splitlines()]
    records = [line for line in lines if "identifier" in line]
    assert len(records) == 120
    assert any(line.get("deleted") for line in records)


def _in_set(spec: str, start: str = "", end: str = "9999") -> int:
    """Corpus records in set ``spec`` whose datestamp's day is in [start, end]."""
    found = 0
    for n in range(RECORDS):
        line = corpus.record(n)
        day = str(line["datestamp"])[:10]
        found += spec in line["sets"] and start <= day <= end  # type: ignore[operator]
    return found


def test_bench_smoke_run(tmp_path: Path) -> None:
    result_file = tmp_path / "figures.json"
    command = [
        sys.executable, "-m", "bench", "--records", str(RECORDS), "--page-size", str(PAGE_SIZE),
        "--rounds", "1", "--repeats", "2", "--getrecords", str(GETRECORDS), "--workers", "1",
        "--duration", "1", "--connections", "4", "--mix-processes", "2",
        "--workdir", str(tmp_path / "work"), "--json", str(result_file),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    f = json.loads(result_file.read_text("utf-8"))

    # Load: every record added, the reload changes nothing, every format holds every record.
    assert f["load"]["added"] == RECORDS
    assert f["reload"]["unchanged"] == RECORDS and f["reload"]["changed"] == 0
    assert f["reload"]["state_same"] is True
    assert f["store"]["bytes_per_record"] > 0
    assert set(f["store"]["formats"]) == SIX_FORMATS
    assert all(s["records"] == RECORDS for s in f["store"]["formats"].values())

    # Full harvests, plain and gzip: every record once, 20 to a page, on both sides.
    pages = math.ceil(RECORDS / PAGE_SIZE)
    assert set(f["harvests"]) == {"oai_dc", "oai_openaire", "oai_dc gzip"}
    for label, h in f["harvests"].items():
        assert h["items"] == h["complete_list_size"] == RECORDS, label
        assert h["pages"] == pages, label
        assert len(h["rates"]) == len(h["ceiling_rates"]) == 1, label
        assert h["rate"] > 0 and h["ceiling_rate"] > 0, label
    gzip = f["harvests"]["oai_dc gzip"]
    assert gzip["mean_page_kb"] < gzip["mean_page_kb_inflated"]

    # Selective ListIdentifiers: the journal's records in the window, by the corpus.
    query = parse_qs(f["selective"]["query"])
    expected = _in_set(query["set"][0], query["from"][0], query["until"][0])
    assert expected > 0
    assert f["selective"]["items"] == expected
    assert f["selective"]["runs"] == 2
    assert f["selective"]["seconds"] > 0 and f["selective"]["ceiling_seconds"] > 0

    # GetRecord: the sample, in formats the records have.
    assert f["getrecord"]["requests"] == GETRECORDS
    assert sum(f["getrecord"]["formats"].values()) == GETRECORDS
    assert set(f["getrecord"]["formats"]) <= SIX_FORMATS
    assert f["getrecord"]["p50_ms"] > 0 and f["getrecord"]["ceiling_p50_ms"] > 0

    # First and deep pages: the whole list and the type:article set.
    whole = f["pages"]["whole repository"]
    assert whole["pages"] == pages and whole["deep_page"] == pages
    articles = f["pages"]["set type:article"]
    assert articles["items"] == _in_set("type:article")
    assert articles["pages"] == math.ceil(articles["items"] / PAGE_SIZE)
    for p in (whole, articles):
        assert p["first_ms"] > 0 and p["deep_ms"] > 0 and p["ceiling_deep_ms"] > 0

    # The concurrent mix ran on both sides without an error.
    mix = f["mix"]
    assert mix["getrecords"] == GETRECORDS and mix["first_pages"] == GETRECORDS // 4
    for side in ("endpoint", "ceiling"):
        assert mix[side]["requests"] > 0 and mix[side]["errors"] == 0, side
        assert mix[side]["late_processes"] == 0, side

    assert 0 < f["rss"]["peak_worker_mb"] <= f["rss"]["peak_worker_resident_mb"]
    assert {t["verdict"].split(" (")[0] for t in f["targets"]} <= {"met", "not met", "n/a"}
    assert "| full ListRecords harvest, oai_openaire" in done.stdout
    assert "| issue | target | measured | verdict |" in done.stdout


def test_a_workers_own_memory_leaves_out_the_file_pages_it_maps(tmp_path: Path) -> None:
    """Reading a mapped file raises VmRSS by the pages read, and the memory of its own not."""
    import mmap
    import os

    from bench.servers import memory_bytes

    size = 64 * 1024 * 1024
    path = tmp_path / "mapped"
    path.write_bytes(b"x" * size)
    pid = os.getpid()
    before = memory_bytes(pid)
    assert before is not None
    own_before, resident_before = before
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        touched = sum(mapped[offset] for offset in range(0, size, 4096))  # every page, once
        after = memory_bytes(pid)
    assert touched == ord("x") * (size // 4096)
    assert after is not None
    own_after, resident_after = after
    assert resident_after - resident_before >= size // 2  # most of the 64 MB is resident
    assert own_after - own_before < size // 8
