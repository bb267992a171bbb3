"""The vectorised feasibility graph (roadshow.scheduling.feasibility) against a plain double loop."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from roadshow.scheduling import Problem, build_feasibility, can_take, merged_windows
from roadshow.scheduling.feasibility import to_micros
from tests.scheduling.problems import company, problem, slot


def naive_edges(prob: Problem) -> dict[tuple[int, int], int]:
    """Every feasible (company, slot) pair with its margin in microseconds, by a double loop."""
    edges = {}
    for i, c in enumerate(prob.companies):
        for j, s in enumerate(prob.slots):
            if can_take(c, s):
                window = next(
                    w for w in merged_windows(c.availability) if w.start <= s.start and s.end <= w.end
                )
                edges[(i, j)] = min(s.start - window.start, window.end - s.end) // timedelta(microseconds=1)
    return edges


@st.composite
def grid_problems(draw: st.DrawFn) -> Problem:
    """Slots and overlapping, touching or nested windows on a 5-minute grid (units of 1/3 slot)."""
    slots = [
        slot(f"s{j}", draw(st.integers(0, 30)) / 3, draw(st.integers(1, 6)) / 3, block=None)
        for j in range(draw(st.integers(0, 12)))
    ]
    companies = []
    for i in range(draw(st.integers(0, 8))):
        starts = draw(st.lists(st.integers(-3, 33), max_size=4))
        windows = [(a / 3, (a + draw(st.integers(1, 12))) / 3) for a in starts]
        companies.append(company(f"c{i}", *windows))
    return problem(slots, companies)


@settings(max_examples=300, deadline=None)
@given(grid_problems())
def test_build_feasibility_equals_double_loop(prob: Problem) -> None:
    graph = build_feasibility(prob)
    found = dict(
        zip(zip(graph.company.tolist(), graph.slot.tolist(), strict=True), graph.margin.tolist(), strict=True)
    )
    assert len(found) == graph.n_edges  # no pair twice
    assert found == naive_edges(prob)
    assert graph.company.tolist() == sorted(graph.company.tolist())  # sorted by company


def test_build_feasibility_exact_edges_and_margins() -> None:
    prob = problem(
        [slot("s0", 0), slot("s1", 1), slot("s2", 2, 2), slot("s3", 1.5)],
        [
            company("a", (0, 2), (2, 3), (10, 11)),
            company("b", (1, 4)),
            company("c"),
            company("d", (0.5, 1.5)),
        ],
    )
    graph = build_feasibility(prob)
    quarter = 15 * 60 * 1_000_000
    assert list(zip(graph.company.tolist(), graph.slot.tolist(), graph.margin.tolist(), strict=True)) == [
        (0, 0, 0),
        (0, 1, quarter),
        (0, 3, quarter // 2),  # straddles the seam of a's touching windows (0-2 and 2-3)
        (1, 1, 0),
        (1, 3, quarter // 2),
        (1, 2, 0),
    ]
    assert graph.degree().tolist() == [3, 3, 0, 0]
    assert graph.slot_start[2] == to_micros(prob.slots[2].start)


def test_build_feasibility_without_windows_or_slots() -> None:
    assert build_feasibility(problem([], [company("a", (0, 1))])).n_edges == 0
    assert build_feasibility(problem([slot("s", 0)], [company("a")])).n_edges == 0
