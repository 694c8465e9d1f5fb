"""``oai check URL``: an OAI-PMH 2.0 validator for any endpoint, judged only over HTTP.

It harvests the endpoint politely and checks what the specification, the schemas and
the journal aggregators (BASE/DRIVER, OpenAIRE) ask; the checks are named in
:mod:`oai.check.names`. Nothing here imports the endpoint's own code: it sees only
what a harvester sees.
"""

from __future__ import annotations

from .client import Unreachable as Unreachable
from .context import Options as Options
from .report import Report as Report
from .runner import PHASES as PHASES
from .runner import NotAnEndpoint as NotAnEndpoint
from .runner import run as run
