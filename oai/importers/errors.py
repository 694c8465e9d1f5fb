"""What an import stops with: one line naming the file and where in it.

Every problem an importer finds becomes a :class:`SourceError` whose message is
the whole line the user sees (``file:line: reason``, ``file: path: reason`` for a
JSON document, ``file: refused: reason`` for input that is not parsed at all), so
the command prints it as it is and the transaction is rolled back.
"""

from __future__ import annotations

from typing import NoReturn


class SourceError(ValueError):
    """An item that cannot be imported; the message is ``file:line: reason``."""


class Refused(SourceError):
    """Input refused before it is read: too large, or XML with a DTD or entities."""


def fail(where: str, reason: str) -> NoReturn:
    """Stop the import at ``where`` (``file:line`` or ``file: path``)."""
    raise SourceError(f"{where}: {reason}")
