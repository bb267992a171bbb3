"""The assigner (roadshow.scheduling.solver): validity, exact optimality, reasons, tie-breaks."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadshow.scheduling import Company, Problem, Slot, Solution, Unplaced, Window, can_take, solve
from roadshow.scheduling.solver import _load_lsap_extension
from roadshow.timezones import local_to_utc
from tests.scheduling.problems import company, problem, slot

# --- helpers ------------------------------------------------------------------------------------


def order_in(solution: Solution, slot_ids: list[str]) -> list[str | None]:
    """Company ids in the given slots, in that order (None for an empty slot)."""
    holder = {a.slot: a.company for a in solution.assignments}
    return [holder.get(s) for s in slot_ids]


def level_vector(prob: Problem, placed: set[str]) -> tuple[int, ...]:
    """Placed counts per priority level, highest level first: compared lexicographically."""
    levels = sorted({c.priority for c in prob.companies}, reverse=True)
    return tuple(sum(1 for c in prob.companies if c.priority == p and c.id in placed) for p in levels)


def brute_force_best(prob: Problem) -> tuple[int, ...]:
    """The lexicographically best level vector over every valid schedule (exhaustive, small problems)."""
    levels = sorted({c.priority for c in prob.companies}, reverse=True)
    slot_ids = [s.id for s in prob.slots]
    locked = {p.company: slot_ids.index(p.slot) for p in prob.locked}
    options = [[j for j, s in enumerate(prob.slots) if can_take(c, s)] for c in prob.companies]
    start_used = sum(1 << j for j in locked.values())
    base = [0] * len(levels)
    for c in prob.companies:
        if c.id in locked:
            base[levels.index(c.priority)] += 1

    @cache
    def best(i: int, used: int) -> tuple[int, ...]:
        """Best vector for companies i.. given the used-slot mask."""
        if i == len(prob.companies):
            return (0,) * len(levels)
        if prob.companies[i].id in locked:
            return best(i + 1, used)
        result = best(i + 1, used)
        level = levels.index(prob.companies[i].priority)
        for j in options[i]:
            if not used & (1 << j):
                sub = list(best(i + 1, used | (1 << j)))
                sub[level] += 1
                result = max(result, tuple(sub))
        return result

    return tuple(a + b for a, b in zip(base, best(0, start_used), strict=True))


def assert_valid(prob: Problem, solution: Solution) -> None:
    """Every validity rule of the format, and every company exactly once."""
    slots = {s.id: s for s in prob.slots}
    companies = {c.id: c for c in prob.companies}
    assigned_slots = [a.slot for a in solution.assignments]
    assigned_companies = [a.company for a in solution.assignments]
    assert len(set(assigned_slots)) == len(assigned_slots)
    assert len(set(assigned_companies)) == len(assigned_companies)
    assert all(can_take(companies[a.company], slots[a.slot]) for a in solution.assignments)
    pairs = {(a.company, a.slot) for a in solution.assignments}
    assert {(p.company, p.slot) for p in prob.locked} <= pairs
    assert {a.company for a in solution.assignments if a.locked} == {p.company for p in prob.locked}
    unplaced = [u.company for u in solution.unplaced]
    assert sorted(assigned_companies + unplaced) == sorted(companies)
    assert (solution.stats.placed, solution.stats.unplaced) == (len(assigned_companies), len(unplaced))


def assert_reasons_hold(prob: Problem, solution: Solution) -> None:
    """Each reason is true of the solution it comes with."""
    holder = {a.slot: a.company for a in solution.assignments}
    companies = {c.id: c for c in prob.companies}
    locked_slots = {p.slot for p in prob.locked}
    for entry in solution.unplaced:
        c = companies[entry.company]
        feasible = [s for s in prob.slots if can_take(c, s)]
        if entry.code in {"no_availability", "no_overlap", "partial_overlap"}:
            assert feasible == []
            assert (entry.code == "no_availability") == (not c.availability)
        else:
            assert entry.code in {"outcompeted", "locked_out"}
            assert feasible
            for s in feasible:
                assert s.id in holder  # never a free slot it could have had
                assert s.id in locked_slots or companies[holder[s.id]].priority >= c.priority
            assert (entry.code == "locked_out") == all(s.id in locked_slots for s in feasible)


# --- exact optimality against brute force -------------------------------------------------------


@st.composite
def small_problems(draw: st.DrawFn) -> Problem:
    """Up to 6 companies × 6 slots on a quarter-hour grid, with blocks, sectors and some locks."""
    slots, cursor = [], {"A": draw(st.integers(0, 3)), "B": draw(st.integers(0, 3))}
    for j in range(draw(st.integers(0, 6))):
        block = draw(st.sampled_from(["A", "B", None]))
        length = draw(st.integers(1, 2))
        if block is None:
            start = draw(st.integers(0, 8))
        else:
            start = cursor[block] + draw(st.integers(0, 1))
            cursor[block] = start + length
        slots.append(slot(f"s{j}", start, length, block=block))
    companies = []
    for i in range(draw(st.integers(0, 6))):
        windows = [(a, a + draw(st.integers(1, 6))) for a in draw(st.lists(st.integers(-1, 10), max_size=2))]
        companies.append(
            company(
                f"c{i}",
                *windows,
                priority=draw(st.sampled_from([1, 1, 2, 3, 7])),
                sector=draw(st.sampled_from(["med", "ai", None])),
            )
        )
    locked, used = [], set()
    for c in companies:
        options = [s.id for s in slots if s.id not in used and can_take(c, s)]
        if options and draw(st.booleans()) and draw(st.booleans()):
            choice = draw(st.sampled_from(options))
            used.add(choice)
            locked.append((c.id, choice))
    return problem(slots, companies, locked)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_solve_matches_brute_force_optimum(prob: Problem) -> None:
    solution = solve(prob)
    assert_valid(prob, solution)
    placed = {a.company for a in solution.assignments}
    assert level_vector(prob, placed) == brute_force_best(prob)
    assert_reasons_hold(prob, solution)

    plain = solve(prob, polish=False)
    assert {a.company for a in plain.assignments} == placed  # the polish never changes who is placed
    assert solution.stats.sector_changes <= plain.stats.sector_changes


# --- priorities, locks ----------------------------------------------------------------------------


def test_solve_rearranges_where_greedy_would_lose_a_company() -> None:
    # "first" likes s0 best (further from its window's edges) but must yield it to "second".
    prob = problem(
        [slot("s0", 4, block=None), slot("s1", 8, block=None)],
        [company("first", (0, 9), priority=2), company("second", (4, 5), priority=2)],
    )
    solution = solve(prob)
    assert solution.slot_of() == {"first": "s1", "second": "s0"}
    assert solution.unplaced == ()


def test_solve_one_higher_priority_beats_two_lower_ones() -> None:
    prob = problem(
        [slot("s0", 0), slot("s1", 1)],
        [
            company("low-a", (0, 1), priority=1),
            company("low-b", (0, 2), priority=1),
            company("vip", (0, 2), priority=5),
            company("mid", (1, 2), priority=2),
        ],
    )
    solution = solve(prob)
    assert solution.slot_of() == {"vip": "s0", "mid": "s1"}
    assert solution.stats.placed_by_priority == {5: 1, 2: 1, 1: 0}
    assert solution.stats.unplaced_by_priority == {5: 0, 2: 0, 1: 2}


def test_solve_keeps_locked_pair_against_higher_priority() -> None:
    prob = problem(
        [slot("s0", 0), slot("s1", 1)],
        [company("pinned", (0, 2), priority=1), company("star", (0, 1), priority=3), company("free", (0, 2))],
        locked=[("pinned", "s0")],
    )
    solution = solve(prob)
    assert solution.slot_of() == {"pinned": "s0", "free": "s1"}
    assert [a.locked for a in solution.assignments] == [True, False]
    assert solution.unplaced == (
        Unplaced("star", "locked_out", "the only slot it can take is locked to another company"),
    )
    assert solution.stats.locked == 1


# --- reasons --------------------------------------------------------------------------------------


def test_solve_reasons_distinguish_each_cause() -> None:
    prob = problem(
        [slot("s0", 0), slot("s1", 1), slot("s2", 2)],
        [
            company("keeper", (0, 1), priority=1),
            company("shut-out", (0, 1), priority=3),
            company("vip", (1, 2), priority=3),
            company("rival", (2, 3), priority=2),
            company("loser", (1, 3), priority=1),
            company("mixed", (0, 2), priority=1),
            company("alone", (2, 3), priority=2),
            company("nothing", priority=2),
            company("elsewhere", (30, 40)),
            company("partial", (0.5, 1.5)),
            company("partial-one", (2.5, 3.5)),
        ],
        locked=[("keeper", "s0")],
    )
    solution = solve(prob)
    assert order_in(solution, ["s0", "s1", "s2"]) == ["keeper", "vip", "rival"] or order_in(
        solution, ["s0", "s1", "s2"]
    ) == ["keeper", "vip", "alone"]
    unplaced = {u.company: (u.code, u.reason) for u in solution.unplaced}
    loser_of_tie = "alone" if "alone" in unplaced else "rival"
    assert unplaced == {
        "shut-out": ("locked_out", "the only slot it can take is locked to another company"),
        "loser": ("outcompeted", "all 2 slots it can take went to companies of higher or equal priority"),
        "mixed": (
            "outcompeted",
            "all 2 slots it can take are taken: 1 locked by an organiser, "
            "1 by a company of higher or equal priority",
        ),
        loser_of_tie: (
            "outcompeted",
            "the only slot it can take went to a company of higher or equal priority",
        ),
        "nothing": ("no_availability", "no availability given"),
        "elsewhere": ("no_overlap", "no availability window overlaps any slot"),
        "partial": (
            "partial_overlap",
            "its availability overlaps 2 slots but covers none of them from start to end",
        ),
        "partial-one": (
            "partial_overlap",
            "its availability overlaps 1 slot but covers none of them from start to end",
        ),
    }
    assert [u.company for u in solution.unplaced] == [
        c.id for c in prob.companies if c.id in unplaced
    ]  # problem order


def test_solve_reason_when_every_slot_is_locked() -> None:
    prob = problem(
        [slot("s0", 0), slot("s1", 1)],
        [company("a", (0, 1)), company("b", (1, 2)), company("late", (0, 2), priority=9)],
        locked=[("a", "s0"), ("b", "s1")],
    )
    assert solve(prob).unplaced == (
        Unplaced("late", "locked_out", "all 2 slots it can take are locked to other companies"),
    )


# --- time zones -----------------------------------------------------------------------------------


def test_solve_availability_across_the_october_2026_dst_change() -> None:
    """Europe leaves summer time on Sun 25 Oct 2026 (01:00 UTC); Shanghai has no DST."""
    berlin, shanghai = "Europe/Berlin", "Asia/Shanghai"

    def local_window(day: date, start: time, end: time, tz: str) -> Window:
        """A local availability window converted to instants."""
        return Window(local_to_utc(day, start, tz), local_to_utc(day, end, tz))

    sat, sun, mon = date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)
    companies = [
        Company("berlin-mon", (local_window(mon, time(9), time(10), berlin),), region="EU", timezone=berlin),
        Company(
            "shanghai-mon", (local_window(mon, time(15), time(16), shanghai),), region="CN", timezone=shanghai
        ),
        Company("berlin-sat", (local_window(sat, time(9), time(10), berlin),), region="EU", timezone=berlin),
        Company(
            "shanghai-sat", (local_window(sat, time(16), time(17), shanghai),), region="CN", timezone=shanghai
        ),
        # 00:00–04:00 Berlin on the night of the change lasts five hours: 22:00Z to 03:00Z.
        Company("night", (Window(local_to_utc(sun, time(0), berlin), local_to_utc(sun, time(4), berlin)),)),
    ]
    assert companies[0].availability[0].start == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # CET, UTC+1
    assert companies[2].availability[0].start == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # CEST, UTC+2
    assert companies[4].availability[0].end == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)

    def utc_slot(slot_id: str, day: int, hour: int, minute: int = 0) -> Slot:
        """A 30-minute slot starting at the given UTC time in October 2026."""
        start = datetime(2026, 10, day, hour, minute, tzinfo=UTC)
        return Slot(slot_id, start, start.replace(minute=minute + 30), block=f"oct{day}")

    slots = [
        utc_slot("sat-0700", 24, 7),
        utc_slot("sat-0800", 24, 8),
        utc_slot("sun-0215", 25, 2, 15),
        utc_slot("mon-0700", 26, 7),
        utc_slot("mon-0800", 26, 8),
    ]
    solution = solve(Problem(slots=tuple(slots), companies=tuple(companies)))
    assert solution.slot_of() == {
        "berlin-mon": "mon-0800",  # 09:00 in Berlin after the change
        "shanghai-mon": "mon-0700",  # 15:00 in Shanghai
        "berlin-sat": "sat-0700",  # 09:00 in Berlin before the change
        "shanghai-sat": "sat-0800",  # 16:00 in Shanghai
        "night": "sun-0215",  # 03:15 CET, inside the five-hour night window
    }


# --- tie-breaks -----------------------------------------------------------------------------------


def centred(company_id: str, centre: int, sector: str) -> Company:
    """A company whose window is widest around slot unit *centre* (so it prefers that slot)."""
    return company(company_id, (centre - 4, centre + 5), sector=sector)


def test_solve_groups_sectors_within_a_block() -> None:
    slots = [slot(f"s{k}", k, block="am") for k in range(4)]
    companies = [
        centred("a1", 0, "med"),
        centred("b1", 1, "ai"),
        centred("a2", 2, "med"),
        centred("b2", 3, "ai"),
    ]
    prob = problem(slots, companies)
    ids = [s.id for s in slots]

    scattered = solve(prob, polish=False)  # best margins alone: everyone at its centre
    assert order_in(scattered, ids) == ["a1", "b1", "a2", "b2"]
    assert scattered.stats.sector_changes == 3

    grouped = solve(prob)
    sectors = {c.id: c.sector for c in companies}
    assert [sectors[c] for c in order_in(grouped, ids)] in (
        ["med", "med", "ai", "ai"],
        ["ai", "ai", "med", "med"],
    )
    assert grouped.stats.sector_changes == 1
    assert grouped.stats.placed == scattered.stats.placed == 4


def test_solve_groups_sectors_across_blocks() -> None:
    slots = [
        slot("x0", 0, block="X"),
        slot("x1", 1, block="X"),
        slot("y0", 2, block="Y"),
        slot("y1", 3, block="Y"),
    ]
    companies = [
        centred("a1", 0, "med"),
        centred("b1", 1, "ai"),
        centred("a2", 2, "med"),
        centred("b2", 3, "ai"),
    ]
    prob = problem(slots, companies)
    assert solve(prob, polish=False).stats.sector_changes == 2
    grouped = solve(prob)
    assert grouped.stats.sector_changes == 0
    assert {frozenset(order_in(grouped, ["x0", "x1"])), frozenset(order_in(grouped, ["y0", "y1"]))} == {
        frozenset({"a1", "a2"}),
        frozenset({"b1", "b2"}),
    }


def test_solve_prefers_slot_well_inside_the_window() -> None:
    prob = problem(
        [slot("edge-early", 0, block=None), slot("middle", 5, block=None), slot("edge-late", 11, block=None)],
        [company("c", (0, 12))],
    )
    assert solve(prob).slot_of() == {"c": "middle"}


def test_solve_groups_around_locked_pairs_without_moving_them() -> None:
    slots = [slot(f"s{k}", k, block="am") for k in range(4)]
    companies = [
        centred("a1", 0, "med"),
        centred("b1", 1, "ai"),
        centred("a2", 2, "med"),
        centred("b2", 3, "ai"),
    ]
    prob = problem(slots, companies, locked=[("b1", "s1"), ("a2", "s2")])
    assert order_in(solve(prob, polish=False), [s.id for s in slots]) == ["a1", "b1", "a2", "b2"]
    grouped = solve(prob)
    assert order_in(grouped, [s.id for s in slots]) == ["b2", "b1", "a2", "a1"]
    assert grouped.stats.sector_changes == 1


def test_solve_best_margins_inside_the_grouping() -> None:
    # Sector "med" ends up holding s0 and s1; which of a1/a2 takes which is settled by margins.
    slots = [slot(f"s{k}", k, block="am") for k in range(3)]
    companies = [centred("a2", 1, "med"), centred("b", 2, "ai"), centred("a1", 0, "med")]
    grouped = solve(problem(slots, companies))
    assert order_in(grouped, ["s0", "s1", "s2"]) == ["a1", "a2", "b"]


# --- larger problems: an independent optimum ------------------------------------------------------


def test_solve_matches_networkx_optimum_on_a_medium_problem() -> None:
    nx = pytest.importorskip("networkx")
    rng = random.Random(11)
    slots = [slot(f"s{j}", (j % 40) + 0.5 * (j // 40), 1, block=f"room{j // 40}") for j in range(120)]
    slots = [s for s in slots if s.block != "room1" or s.start.minute != 0]  # uneven rooms
    companies = [
        company(
            f"c{i}",
            *[(a, a + rng.randint(1, 8)) for a in rng.sample(range(-2, 40), 2)],
            priority=rng.choice([1, 2, 3]),
        )
        for i in range(150)
    ]
    prob = problem(slots, companies)
    solution = solve(prob)
    assert_valid(prob, solution)
    assert_reasons_hold(prob, solution)

    previous, expected = 0, {}
    for level in (3, 2, 1):
        graph = nx.Graph()
        top = [c.id for c in companies if c.priority >= level]
        graph.add_nodes_from(top)
        graph.add_edges_from(
            (c.id, "slot:" + s.id) for c in companies if c.priority >= level for s in slots if can_take(c, s)
        )
        size = sum(1 for node in nx.bipartite.hopcroft_karp_matching(graph, top_nodes=top) if node in top)
        expected[level], previous = size - previous, size
    assert solution.stats.placed_by_priority == expected


def test_lsap_loaded_from_its_file_agrees_with_scipy_optimize() -> None:
    from scipy.optimize import linear_sum_assignment

    fast = _load_lsap_extension().linear_sum_assignment
    matrix = np.random.default_rng(3).integers(0, 50, size=(7, 11)).astype(float)
    for maximize in (False, True):
        rows, cols = fast(matrix, maximize=maximize)
        expected_rows, expected_cols = linear_sum_assignment(matrix, maximize=maximize)
        assert matrix[rows, cols].sum() == matrix[expected_rows, expected_cols].sum()
        assert rows.tolist() == list(range(7))
