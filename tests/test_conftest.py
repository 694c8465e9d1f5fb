"""The end-of-run summary of skipped tests (tests/conftest.py), on the suite's own reasons."""

from __future__ import annotations

from .conftest import skip_summary


def test_skips_are_counted_by_group_with_the_line_that_enables_each() -> None:
    reasons = [
        "PostgreSQL not configured: set OAI_TEST_POSTGRES_URL to run these",
        "OAI_TEST_POSTGRES_URL is not set: the PostgreSQL case needs a server",
        "PostgreSQL not configured: set OAI_TEST_POSTGRES_URL to run these",
        "real-browser tests need /usr/bin/chromium and /usr/bin/chromedriver "
        "(apt-get install chromium chromium-driver; .ci/run does it)",
        "official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas",
        "something else entirely",
    ]
    assert skip_summary(reasons) == [
        "    3 skipped, need PostgreSQL: "
        "export OAI_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "    1 skipped, need a real browser: apt-get install chromium chromium-driver",
        "    1 skipped, need the official XSDs: "
        "put them at ../shared/schemas, or export OAI_TEST_SCHEMAS=/path/to/schemas",
        "    1 skipped, something else entirely",
    ]
