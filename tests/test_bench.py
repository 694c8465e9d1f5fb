"""A smoke run of ``python -m bench`` on a tiny corpus: the machinery works end to end.

Timings at this size mean nothing and are not checked; the counts are.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import corpus


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    first = corpus.write(tmp_path / "a.jsonl", 120).read_bytes()
    second = corpus.write(tmp_path / "b.jsonl", 120).read_bytes()
    assert first == second
    lines = [json.loads(line) for line in first.splitlines()]
    records = [line for line in lines if "identifier" in line]
    assert len(records) == 120
    assert any(line.get("deleted") for line in records)


def test_bench_smoke_run(tmp_path: Path) -> None:
    result_file = tmp_path / "figures.json"
    command = [
        sys.executable, "-m", "bench", "--records", "150", "--page-size", "40",
        "--rounds", "1", "--repeats", "3", "--getrecords", "5", "--workers", "1",
        "--workdir", str(tmp_path / "work"), "--json", str(result_file),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(result_file.read_text("utf-8"))
    assert figures["load_added"] == 150
    assert figures["reload_unchanged"] == 150 and figures["reload_changed"] == 0
    assert figures["reload_datestamps_same"] is True
    assert figures["harvest_records"] == figures["complete_list_size"] == 150
    assert figures["pages"] == 4
    for rate in ("plain_rate", "parsing_rate", "parsing_plain_rate", "parsing_ceiling_rate"):
        assert figures[rate] > 0, rate
    assert 0 < figures["fraction_of_ceiling"]
    assert figures["rss_peak_worker_mb"] > 0
    assert "| harvest rate / ceiling" in done.stdout
