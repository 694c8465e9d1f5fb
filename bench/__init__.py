"""Benchmarks of the OAI-PMH endpoint (``python -m bench --help``); not part of the tests."""
