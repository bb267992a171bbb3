"""The command line, run as a real subprocess: ``python -m roadshow.scheduling solve FILE``."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

SLOT = {"id": "s1", "start": "2026-12-01T08:00:00Z", "end": "2026-12-01T08:15:00Z", "block": "am"}
ACME = {
    "id": "acme",
    "region": "EU",
    "timezone": "Europe/Berlin",
    "sector": "medical-devices",
    "priority": 2,
    "availability": [{"start": "2026-12-01T07:30:00Z", "end": "2026-12-01T11:00:00Z"}],
}
VALID = {"slots": [SLOT], "companies": [ACME], "locked": []}


def changed(**parts: Any) -> dict[str, Any]:
    """VALID with top-level keys replaced (deep-copied, so cases never share state)."""
    document = copy.deepcopy(VALID)
    document.update(copy.deepcopy(parts))
    return document


def with_slot(**fields: Any) -> dict[str, Any]:
    """VALID whose one slot has *fields* replaced (None removes the key)."""
    slot = {**SLOT, **fields}
    return changed(slots=[{k: v for k, v in slot.items() if v is not None}])


def with_company(**fields: Any) -> dict[str, Any]:
    """VALID whose one company has *fields* replaced (None removes the key)."""
    entry = {**ACME, **fields}
    return changed(companies=[{k: v for k, v in entry.items() if v is not None}])


SLOT2 = {"id": "s2", "start": "2026-12-01T08:15:00Z", "end": "2026-12-01T08:30:00Z", "block": "am"}
BETA = {**ACME, "id": "beta"}

# name -> (file content: a document to dump, or raw bytes; the exact message after "<path>: ")
BAD_INPUT: dict[str, tuple[Any, str]] = {
    "malformed-json": (b'{"slots": [', "not valid JSON: Expecting value at line 1, column 12"),
    "not-utf8": (b'{"slots": "\xff"}', "not UTF-8 text"),
    "not-an-object": ([], "the problem must be a JSON object, got array"),
    "missing-slots": ({"companies": []}, 'missing key "slots"'),
    "missing-companies": ({"slots": []}, 'missing key "companies"'),
    "slots-not-array": ({"slots": {}, "companies": []}, '"slots" must be an array, got object'),
    "slot-not-object": (changed(slots=["s1"]), "slots[0] must be an object, got string"),
    "slot-missing-id": (with_slot(id=None), 'slots[0]: missing key "id"'),
    "slot-id-not-string": (with_slot(id=5), 'slots[0]: "id" must be a non-empty string, got 5'),
    "slot-missing-end": (with_slot(end=None), 'slot "s1": missing key "end"'),
    "company-missing-availability": (
        with_company(availability=None),
        'company "acme": missing key "availability"',
    ),
    "window-missing-start": (
        with_company(availability=[{"end": "2026-12-01T11:00:00Z"}]),
        'company "acme" availability[0]: missing key "start"',
    ),
    "naive-time": (
        with_slot(start="2026-12-01T08:00:00"),
        'slot "s1": start "2026-12-01T08:00:00" has no UTC offset (add Z or one like +08:00)',
    ),
    "date-only": (
        with_slot(end="2026-12-02"),
        'slot "s1": end "2026-12-02" has no UTC offset (add Z or one like +08:00)',
    ),
    "not-a-time": (with_slot(start="8 am"), 'slot "s1": start "8 am" is not an RFC 3339 time'),
    "time-not-string": (
        with_slot(start=1700000000),
        'slot "s1": start must be an RFC 3339 time string, got 1700000000',
    ),
    "slot-end-before-start": (
        with_slot(end="2026-12-01T07:45:00Z"),
        'slot "s1": end 2026-12-01T07:45:00Z is not after start 2026-12-01T08:00:00Z',
    ),
    "window-empty": (
        with_company(availability=[{"start": "2026-12-01T16:00:00+08:00", "end": "2026-12-01T08:00:00Z"}]),
        'company "acme" availability[0]: end 2026-12-01T08:00:00Z is not after start 2026-12-01T08:00:00Z',
    ),
    "slots-overlap-in-block": (
        changed(slots=[SLOT, {**SLOT2, "start": "2026-12-01T08:10:00Z"}]),
        'slots "s1" and "s2" of block "am" overlap',
    ),
    "duplicate-slot": (changed(slots=[SLOT, {**SLOT2, "id": "s1"}]), 'duplicate slot id "s1"'),
    "duplicate-company": (changed(companies=[ACME, ACME]), 'duplicate company id "acme"'),
    "locked-unknown-company": (
        changed(locked=[{"company": "nobody", "slot": "s1"}]),
        'locked[0]: unknown company "nobody"',
    ),
    "locked-unknown-slot": (
        changed(locked=[{"company": "acme", "slot": "s9"}]),
        'locked[0]: unknown slot "s9"',
    ),
    "locked-missing-slot": (changed(locked=[{"company": "acme"}]), 'locked[0]: missing key "slot"'),
    "locked-infeasible": (
        changed(
            slots=[
                SLOT,
                {**SLOT2, "id": "late", "start": "2026-12-01T11:00:00Z", "end": "2026-12-01T11:15:00Z"},
            ],
            locked=[{"company": "acme", "slot": "late"}],
        ),
        'locked[0]: company "acme" cannot take slot "late" (2026-12-01T11:00:00Z to 2026-12-01T11:15:00Z): '
        "no availability window covers it",
    ),
    "two-locks-one-slot": (
        changed(
            companies=[ACME, BETA],
            locked=[{"company": "acme", "slot": "s1"}, {"company": "beta", "slot": "s1"}],
        ),
        'locked[1]: slot "s1" is already locked in locked[0]',
    ),
    "two-locks-one-company": (
        changed(
            slots=[SLOT, SLOT2], locked=[{"company": "acme", "slot": "s1"}, {"company": "acme", "slot": "s2"}]
        ),
        'locked[1]: company "acme" is already locked in locked[0]',
    ),
    "priority-zero": (with_company(priority=0), 'company "acme": priority must be a positive integer, got 0'),
    "priority-text": (
        with_company(priority="high"),
        'company "acme": priority must be a positive integer, got "high"',
    ),
    "priority-fraction": (
        with_company(priority=1.5),
        'company "acme": priority must be a positive integer, got 1.5',
    ),
    "priority-boolean": (
        with_company(priority=True),
        'company "acme": priority must be a positive integer, got true',
    ),
    "sector-not-string": (
        with_company(sector=["ai"]),
        'company "acme": "sector" must be a string, got array',
    ),
}


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the command line in a fresh interpreter from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "roadshow.scheduling", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int, str, bytes]]:
    """Every bad-input case run as its own subprocess, several at a time (interpreter start dominates)."""
    folder = tmp_path_factory.mktemp("bad-problems")
    running = {}
    for name, (content, _) in BAD_INPUT.items():
        path = folder / f"{name}.json"
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
        running[name] = (
            path,
            subprocess.Popen(
                [sys.executable, "-m", "roadshow.scheduling", "solve", str(path)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
    results = {}
    for name, (path, process) in running.items():
        out, err = process.communicate(timeout=120)
        results[name] = (path, process.returncode, err.decode(), out)
    return results


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_cli_bad_input_exits_2_with_one_line(
    case: str, bad_input_runs: dict[str, tuple[Path, int, str, bytes]]
) -> None:
    path, status, stderr, stdout = bad_input_runs[case]
    assert (status, stderr, stdout) == (2, f"{path}: {BAD_INPUT[case][1]}\n", b"")


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    done = run_cli("solve", str(missing))
    assert (done.returncode, done.stderr.decode()) == (
        2,
        f"{missing}: cannot read the file: No such file or directory\n",
    )


def test_cli_solves_format_example(tmp_path: Path) -> None:
    document = changed(locked=[{"company": "acme", "slot": "s1"}], extra={"ignored": True})
    document["companies"].append({"id": "zeta", "availability": [], "hobby": "chess"})
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(document))
    done = run_cli("solve", str(path))
    assert (done.returncode, done.stderr) == (0, b"")
    solution = json.loads(done.stdout)
    assert 0 <= solution["stats"].pop("seconds") < 5
    assert solution == {
        "assignments": [{"company": "acme", "slot": "s1"}],
        "unplaced": [{"company": "zeta", "reason": "no availability given", "code": "no_availability"}],
        "stats": {
            "placed": 1,
            "unplaced": 1,
            "locked": 1,
            "placed_by_priority": {"2": 1, "1": 0},
            "unplaced_by_priority": {"2": 0, "1": 1},
            "sector_changes": 0,
        },
    }


def test_cli_reads_standard_input_with_dash() -> None:
    document = changed(companies=[ACME, {**BETA, "priority": 1, "sector": "ai"}])
    done = run_cli("solve", "-", stdin=json.dumps(document).encode())
    assert done.returncode == 0
    solution = json.loads(done.stdout)
    assert solution["assignments"] == [{"company": "acme", "slot": "s1"}]
    assert solution["unplaced"] == [
        {
            "company": "beta",
            "reason": "the only slot it can take went to a company of higher or equal priority",
            "code": "outcompeted",
        }
    ]


def test_cli_bad_standard_input_names_stdin() -> None:
    done = run_cli("solve", "-", stdin=b"[1, 2")
    assert (done.returncode, done.stderr.decode()) == (
        2,
        "<stdin>: not valid JSON: Expecting ',' delimiter at line 1, column 6\n",
    )


def test_solve_imports_stay_lean() -> None:
    code = (
        "import sys, json\n"
        "from roadshow.scheduling import parse_problem, solve\n"
        f"solve(parse_problem(json.loads({json.dumps(json.dumps(VALID))})))\n"
        "heavy = ('scipy.optimize', 'scipy.sparse', 'numpy.ma', 'sqlalchemy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True, timeout=60)
    assert done.stdout.decode().strip() == "[]"
