"""Independent readers of our calendars: icalendar, vobject, Mozilla's ical.js (Node) and Debian's
libical (a small C program compiled against it, with its RFC 5546 restriction checks).

Each returns what it read in one shape, so tests can compare the four with what was written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import vobject

from roadshow import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
ICALJS_SCRIPT = HERE / "icaljs_check.mjs"
ICALJS_MODULE = PROJECT_ROOT / "node_modules" / "ical.js"
LIBICAL_SOURCE = HERE / "libical_check.c"
NODE = shutil.which("node")


@dataclass(frozen=True)
class ReadEvent:
    """One VEVENT as a parser read it."""

    uid: str
    summary: str
    start: datetime  # UTC
    end: datetime  # UTC
    sequence: int
    status: str


def _utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, f"floating time {value!r}"
    return value.astimezone(UTC)


def read_icalendar(text: str) -> tuple[icalendar.Calendar, list[ReadEvent]]:
    """Parse with icalendar (strict about structure) and return the calendar and its events."""
    calendar = icalendar.Calendar.from_ical(text)
    events = [
        ReadEvent(
            uid=str(component["UID"]),
            summary=str(component.get("SUMMARY", "")),
            start=_utc(component.decoded("DTSTART")),
            end=_utc(component.decoded("DTEND")),
            sequence=int(component.get("SEQUENCE", 0)),
            status=str(component.get("STATUS", "")),
        )
        for component in calendar.walk("VEVENT")
    ]
    return calendar, events


def forget_vobject_timezones() -> None:
    """Empty vobject's process-wide TZID registry, which keeps the first VTIMEZONE it saw for a TZID
    (a fresh client each time: our files carry per-year VTIMEZONEs)."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [name for name in registry if name != "UTC"]:
        del registry[tzid]


def read_vobject(text: str) -> tuple[object, list[ReadEvent]]:
    """Parse with vobject, as a fresh client, and return the calendar and its events."""
    forget_vobject_timezones()
    calendar = vobject.readOne(text, validate=True)
    events = [
        ReadEvent(
            uid=event.uid.value,
            summary=event.summary.value if hasattr(event, "summary") else "",
            start=_utc(event.dtstart.value),
            end=_utc(event.dtend.value),
            sequence=int(event.sequence.value) if hasattr(event, "sequence") else 0,
            status=event.status.value if hasattr(event, "status") else "",
        )
        for event in calendar.contents.get("vevent", [])
    ]
    return calendar, events


def icaljs_available() -> bool:
    """True when Node and the ical.js package (``npm ci``) are installed."""
    return NODE is not None and ICALJS_MODULE.is_dir()


def read_icaljs(text: str, tmp_path: Path) -> tuple[dict, list[ReadEvent]]:
    """Parse with ical.js in Node; returns its description of the calendar and its events."""
    path = tmp_path / f"icaljs-{abs(hash(text))}.ics"
    path.write_bytes(text.encode("utf-8"))
    result = subprocess.run(
        [NODE, str(ICALJS_SCRIPT), str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (described,) = json.loads(result.stdout)
    events = [
        ReadEvent(
            uid=e["uid"],
            summary=e["summary"] or "",
            start=datetime.fromisoformat(e["start"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(e["end"].replace("Z", "+00:00")),
            sequence=e["sequence"],
            status=e["status"] or "",
        )
        for e in described["events"]
    ]
    return described, events


def compile_libical_checker(directory: Path) -> Path | None:
    """Compile libical_check.c against Debian's libical; None when the compiler or libical is missing."""
    compiler, pkg_config = shutil.which("cc"), shutil.which("pkg-config")
    if compiler is None or pkg_config is None:
        return None
    flags = subprocess.run([pkg_config, "--cflags", "--libs", "libical"], capture_output=True, text=True)
    if flags.returncode != 0:
        return None
    binary = directory / "libical_check"
    built = subprocess.run(
        [compiler, str(LIBICAL_SOURCE), *flags.stdout.split(), "-o", str(binary)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    return binary


def check_libical(binary: Path, text: str, tmp_path: Path) -> str:
    """Run libical's parser and iTIP restriction checks; returns its ``ok N`` line, fails on errors."""
    path = tmp_path / f"libical-{abs(hash(text))}.ics"
    path.write_bytes(text.encode("utf-8"))
    result = subprocess.run([str(binary), str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def icaljs_view(read: dict) -> dict:
    """What ical.js read (from a ``read_all`` result); skips the rest of the test without ical.js
    (``read_all`` has already failed it on CI)."""
    import pytest

    if read["icaljs"] is None:
        pytest.skip("ical.js is not installed (npm ci)")
    return read["icaljs"]
