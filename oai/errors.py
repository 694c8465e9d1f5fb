"""OAI-PMH error conditions, one class per code of the spec (section 3.6).

Raise them anywhere below the web layer; ``web`` renders every one with HTTP 200.
Each class's docstring is the spec's description; ``message`` may add detail.
"""

from __future__ import annotations

from typing import ClassVar


class OAIError(Exception):
    """Base of every OAI-PMH error; ``code`` is the spec's error code."""

    code: ClassVar[str] = ""
    #: Whether ``<request>`` may echo the arguments (not for badVerb/badArgument).
    echo_arguments: ClassVar[bool] = True

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        super().__init__(self.message)


class BadArgument(OAIError):
    """The request includes illegal arguments, is missing required arguments, includes a
    repeated argument, or values for arguments have an illegal syntax."""

    code = "badArgument"
    echo_arguments = False


class BadResumptionToken(OAIError):
    """The value of the resumptionToken argument is invalid or expired."""

    code = "badResumptionToken"


class BadVerb(OAIError):
    """Value of the verb argument is not a legal OAI-PMH verb, the verb argument is missing,
    or the verb argument is repeated."""

    code = "badVerb"
    echo_arguments = False


class CannotDisseminateFormat(OAIError):
    """The metadata format identified by the value given for the metadataPrefix argument is
    not supported by the item or by the repository."""

    code = "cannotDisseminateFormat"


class IdDoesNotExist(OAIError):
    """The value of the identifier argument is unknown or illegal in this repository."""

    code = "idDoesNotExist"


class NoRecordsMatch(OAIError):
    """The combination of the values of the from, until, set and metadataPrefix arguments
    results in an empty list."""

    code = "noRecordsMatch"


class NoMetadataFormats(OAIError):
    """There are no metadata formats available for the specified item."""

    code = "noMetadataFormats"


class NoSetHierarchy(OAIError):
    """The repository does not support sets."""

    code = "noSetHierarchy"


ALL_ERRORS: tuple[type[OAIError], ...] = (
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    NoMetadataFormats,
    NoSetHierarchy,
)
