"""Fixtures for calendar tests: the independent parsers, ready to call on any calendar text.

icalendar and vobject are Python packages of the project and always run. Mozilla's ical.js (``npm
ci``) and Debian's libical (``apt-get install libical-dev``) run when installed; on CI (``CI=true``)
a missing one fails the test, elsewhere it is left out with a warning.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.calendar import parsers


def _required() -> bool:
    """CI sets CI=true: there a missing parser is a failure, not a gap."""
    return os.environ.get("CI", "").lower() == "true"


def _missing(message: str) -> None:
    if _required():
        pytest.fail(message)
    warnings.warn(message, stacklevel=2)


@pytest.fixture(scope="session")
def libical_binary(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Debian's libical, compiled into a checker once per run (None when not installed)."""
    return parsers.compile_libical_checker(tmp_path_factory.mktemp("libical"))


@pytest.fixture(scope="session")
def icaljs_ready() -> bool:
    """True when ical.js is installed (``npm ci`` in the project root)."""
    return parsers.icaljs_available()


@pytest.fixture
def read_all(tmp_path: Path, libical_binary: Path | None, icaljs_ready: bool) -> Callable[[str], dict]:
    """``read_all(text)``: parse *text* with icalendar, vobject, ical.js and libical.

    Every parser must read the same events (UID, summary, UTC start and end, SEQUENCE, STATUS), and
    libical must find no error, iTIP restrictions included. Returns the events and each parser's
    view of the calendar (``icaljs`` is None when ical.js is not installed).
    """

    def read(text: str) -> dict:
        calendar, by_icalendar = parsers.read_icalendar(text)
        vcalendar, by_vobject = parsers.read_vobject(text)
        assert by_icalendar == by_vobject
        described = None
        if icaljs_ready:
            described, by_icaljs = parsers.read_icaljs(text, tmp_path)
            assert by_icaljs == by_icalendar
        else:
            _missing("ical.js is not installed: run `npm ci` in the project root")
        if libical_binary is not None:
            assert parsers.check_libical(libical_binary, text, tmp_path) == f"ok {len(by_icalendar)}"
        else:
            _missing("libical is not installed: apt-get install -y libical-dev pkg-config")
        return {"events": by_icalendar, "icalendar": calendar, "vobject": vcalendar, "icaljs": described}

    return read
