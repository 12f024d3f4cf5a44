"""smsc-conformance: language-neutral fixtures, the emulator that serves them on 127.0.0.1,
and the runner that checks the codec and both transports against them.

Run every fixture through everything::

    python -m smsc_conformance --transport all

or from Python::

    from smsc_conformance import run
    report = run(default_fixture_dirs(), ["codec", "urllib3"])
    print(report.summary())   # "N passed, N failed"
"""

from smsc_conformance.emulator import Emulator, RecordedRequest
from smsc_conformance.fixtures import (
    CannedResponse,
    Expectation,
    Fixture,
    FixtureError,
    FixtureProblem,
    RequestSpec,
    default_fixture_dirs,
    load_fixture,
    load_fixtures,
    parse_fixture,
)
from smsc_conformance.matching import mismatch
from smsc_conformance.runner import TRANSPORTS, Check, Report, run

__all__ = [
    "TRANSPORTS",
    "CannedResponse",
    "Check",
    "Emulator",
    "Expectation",
    "Fixture",
    "FixtureError",
    "FixtureProblem",
    "RecordedRequest",
    "Report",
    "RequestSpec",
    "default_fixture_dirs",
    "load_fixture",
    "load_fixtures",
    "mismatch",
    "parse_fixture",
    "run",
]
