"""rows.FormatStages: fragments staged per format arrive in the table once each, and the
staging tables go."""

from __future__ import annotations

import random

from sqlalchemy import Column, MetaData, String, Table, create_engine, text

from oai.store.rows import FormatStages


def _fragments(*columns: Column[str]) -> Table:
    """A fragments table keyed in list order, as models.Fragment is, with ``columns``."""
    return Table(
        "fragments",
        MetaData(),
        Column("prefix", String, primary_key=True),
        Column("datestamp", String, primary_key=True),
        Column("identifier", String, primary_key=True),
        *columns,
        sqlite_with_rowid=False,
    )


def test_rows_of_interleaved_formats_are_filed_once_each() -> None:
    target = _fragments(Column("body", String))
    rows = [
        (prefix, f"2024-01-{day:02d}", f"oai:x:{n}", f"{prefix} {n}")
        for n, day in zip(range(60), random.Random(7).choices(range(1, 29), k=60), strict=True)
        for prefix in ("oai_dc", "mods", "jats")
        if not (prefix == "jats" and n % 3 == 0)  # a format some records lack
    ]
    random.Random(8).shuffle(rows)
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        target.create(connection)
        stages = FormatStages(connection, target)
        for start in range(0, len(rows), 25):  # batches, as chunks arrive
            stages.add(rows[start : start + 25])
        stages.move()
        # A WITHOUT ROWID table is read in its key order by a plain scan.
        filed = list(connection.execute(text("SELECT * FROM fragments")))
        temporary = connection.execute(text("SELECT name FROM sqlite_temp_master")).all()
    assert [tuple(row) for row in filed] == sorted(rows)
    assert len(filed) == 60 * 3 - 20
    assert temporary == []


def test_each_batch_is_staged_in_key_order() -> None:
    """A batch arrives in file order and is staged sorted: a run in key order, which the
    filing walk reads page after page instead of jumping for every row."""
    target = _fragments()
    batch = [
        ("oai_dc", f"2024-01-{day:02d}", f"oai:x:{n}") for n, day in enumerate(range(28, 0, -1))
    ]
    # two records of one datestamp (then by identifier), and a second format
    batch += [("oai_dc", "2024-01-05", "oai:x:a"), ("mods", "2024-01-02", "oai:x:b")]
    random.Random(9).shuffle(batch)
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        target.create(connection)
        stages = FormatStages(connection, target)
        stages.add(batch)
        names = connection.execute(
            text("SELECT name FROM sqlite_temp_master WHERE type = 'table' ORDER BY name")
        ).scalars()
        staged = {
            name: [
                tuple(row)
                for row in connection.execute(
                    text(f'SELECT datestamp, identifier FROM "{name}" ORDER BY rowid')
                )
            ]
            for name in list(names)
        }
    dc = sorted((d, i) for p, d, i in batch if p == "oai_dc")
    assert sorted(staged.values(), key=len) == [[("2024-01-02", "oai:x:b")], dc]
