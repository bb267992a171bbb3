"""Reading, checking and writing scheduling problems (roadshow.scheduling.problem)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from roadshow.scheduling import (
    Company,
    LockedPair,
    Problem,
    ProblemError,
    Slot,
    Window,
    can_take,
    check_problem,
    merged_windows,
    parse_problem,
    problem_to_dict,
)
from tests.scheduling.problems import at, company, problem, slot

FORMAT_EXAMPLE = {
    "slots": [
        {"id": "d1-0800", "start": "2026-12-01T08:00:00Z", "end": "2026-12-01T08:15:00Z", "block": "day1-am"}
    ],
    "companies": [
        {
            "id": "acme",
            "region": "EU",
            "timezone": "Europe/Berlin",
            "sector": "medical-devices",
            "priority": 2,
            "availability": [{"start": "2026-12-01T07:30:00Z", "end": "2026-12-01T11:00:00Z"}],
        }
    ],
    "locked": [{"company": "acme", "slot": "d1-0800"}],
}


def test_parse_problem_format_example_builds_exact_objects() -> None:
    parsed = parse_problem(FORMAT_EXAMPLE)
    assert parsed == Problem(
        slots=(
            Slot(
                id="d1-0800",
                start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
                end=datetime(2026, 12, 1, 8, 15, tzinfo=UTC),
                block="day1-am",
            ),
        ),
        companies=(
            Company(
                id="acme",
                availability=(
                    Window(
                        datetime(2026, 12, 1, 7, 30, tzinfo=UTC), datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
                    ),
                ),
                priority=2,
                sector="medical-devices",
                region="EU",
                timezone="Europe/Berlin",
            ),
        ),
        locked=(LockedPair(company="acme", slot="d1-0800"),),
    )


def test_parse_problem_defaults_and_unknown_keys() -> None:
    raw = {
        "version": 3,
        "slots": [{"id": "s", "start": "2026-12-01T16:00:00+08:00", "end": "2026-12-01T08:15:00Z", "x": 1}],
        "companies": [{"id": "c", "availability": [], "colour": "red"}],
    }
    parsed = parse_problem(raw)
    assert parsed.slots[0].block is None
    assert parsed.slots[0].start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert parsed.companies[0] == Company(id="c", availability=(), priority=1)
    assert parsed.locked == ()


def test_problem_to_dict_round_trips() -> None:
    original = problem(
        [slot("s1", 0, block="am"), slot("s2", 1, block=None)],
        [company("c1", (0, 4), priority=2, sector="ai"), company("c2")],
        locked=[("c1", "s1")],
    )
    written = problem_to_dict(original)
    assert written["slots"][0] == {
        "id": "s1",
        "start": "2026-12-01T08:00:00Z",
        "end": "2026-12-01T08:15:00Z",
        "block": "am",
    }
    assert written["companies"][1] == {"id": "c2", "priority": 1, "availability": []}
    assert parse_problem(written) == original


def test_merged_windows_joins_overlapping_and_touching() -> None:
    windows = [Window(at(6), at(8)), Window(at(0), at(2)), Window(at(1), at(3)), Window(at(3), at(4))]
    assert merged_windows(windows) == [Window(at(0), at(4)), Window(at(6), at(8))]


def test_can_take_slot_straddling_two_touching_windows() -> None:
    straddling = slot("s", 1.5)
    assert can_take(company("c", (0, 2), (2, 4)), straddling) is True
    assert can_take(company("c", (0, 2), (2.1, 4)), straddling) is False


def test_can_take_compares_instants_across_offsets() -> None:
    shanghai = timezone(timedelta(hours=8))
    window = Window(
        datetime(2026, 12, 1, 16, 0, tzinfo=shanghai), datetime(2026, 12, 1, 16, 15, tzinfo=shanghai)
    )
    assert can_take(Company(id="c", availability=(window,)), slot("s", 0)) is True


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            problem([Slot("s", at(1), at(1))], []),
            'slot "s": end 2026-12-01T08:15:00Z is not after start 2026-12-01T08:15:00Z',
        ),
        (
            problem([Slot("s", datetime(2026, 12, 1, 8), at(1))], []),  # noqa: DTZ001 - naive on purpose
            'slot "s": start 2026-12-01T08:00:00 has no UTC offset',
        ),
        (problem([slot("s", 0), slot("s", 1)], []), 'duplicate slot id "s"'),
        (problem([slot("a", 0, 2), slot("b", 1)], []), 'slots "a" and "b" of block "am" overlap'),
        (problem([], [company("c", priority=0)]), 'company "c": priority must be a positive integer, got 0'),
        (
            problem([], [company("c", priority=True)]),
            'company "c": priority must be a positive integer, got true',
        ),
        (
            problem([], [company("c", (2, 1))]),
            'company "c" availability[0]: end 2026-12-01T08:15:00Z is not after start 2026-12-01T08:30:00Z',
        ),
        (
            problem([slot("s", 0)], [company("c", (0, 1))], [("c", "s"), ("c", "s")]),
            'locked[1]: slot "s" is already locked in locked[0]',
        ),
        (
            problem([], [company('x"\n'), company('x"\n')]),
            'duplicate company id "x\\"\\n"',
        ),
    ],
)
def test_check_problem_rejects_with_one_line(bad: Problem, message: str) -> None:
    with pytest.raises(ProblemError) as caught:
        check_problem(bad)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_check_problem_allows_overlap_across_blocks_and_without_block() -> None:
    parallel = problem(
        [
            slot("a", 0, 2, block="room1"),
            slot("b", 1, block="room2"),
            slot("c", 0, block=None),
            slot("d", 0, block=None),
        ],
        [company("x", (0, 1), (0.5, 3))],
    )
    check_problem(parallel)
    assert len(parallel.slots) == 4
