"""Which company can take which slot: the bipartite feasibility graph, built with numpy.

A company can take a slot when the slot lies wholly inside one of its availability windows. Windows
are merged per company (overlapping or touching windows become one), then every merged window is
matched against the slots sorted by start with ``searchsorted``: the slots starting inside a window
form one contiguous run of that order, and of those the ones ending inside it are kept. Because a
company's merged windows are disjoint, each (company, slot) edge appears once. No Python loop runs
over pairs; the only per-item Python work is turning datetimes into integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from roadshow.scheduling.problem import Problem

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """An aware datetime as whole microseconds since the Unix epoch (exact integer arithmetic)."""
    return (value - _EPOCH) // _MICROSECOND


@dataclass(frozen=True, slots=True)
class FeasibilityGraph:
    """The edges (company index, slot index) of "can take", with how far inside its window each slot is.

    Indices refer to ``problem.companies`` and ``problem.slots``. Edges are sorted by company, then by
    slot start. ``margin`` is, per edge, the time in microseconds between the slot and the nearer
    end of the merged availability window that contains it (0 when the slot touches that end).
    """

    company: np.ndarray
    slot: np.ndarray
    margin: np.ndarray
    slot_start: np.ndarray
    slot_end: np.ndarray
    n_companies: int
    n_slots: int

    @property
    def n_edges(self) -> int:
        """How many (company, slot) pairs are feasible."""
        return int(self.company.size)

    def degree(self) -> np.ndarray:
        """How many slots each company can take, indexed like ``problem.companies``."""
        return np.bincount(self.company, minlength=self.n_companies)


def build_feasibility(problem: Problem) -> FeasibilityGraph:
    """Build the feasibility graph of *problem* with vectorised numpy operations.

    Args:
        problem: a checked problem (see ``check_problem``); availability windows may overlap.

    Returns:
        The graph: one edge per pair (company, slot) such that the slot lies wholly inside one of the
        company's merged availability windows, sorted by company and then by slot start.
    """
    n_companies, n_slots = len(problem.companies), len(problem.slots)
    slot_start = np.fromiter((to_micros(s.start) for s in problem.slots), dtype=np.int64, count=n_slots)
    slot_end = np.fromiter((to_micros(s.end) for s in problem.slots), dtype=np.int64, count=n_slots)
    win_company = np.fromiter(
        (i for i, c in enumerate(problem.companies) for _ in c.availability), dtype=np.int64
    )
    win_start = np.fromiter(
        (to_micros(w.start) for c in problem.companies for w in c.availability), dtype=np.int64
    )
    win_end = np.fromiter(
        (to_micros(w.end) for c in problem.companies for w in c.availability), dtype=np.int64
    )

    empty = np.zeros(0, dtype=np.int64)
    if win_company.size == 0 or n_slots == 0:
        return FeasibilityGraph(empty, empty, empty, slot_start, slot_end, n_companies, n_slots)

    starts, ends, owners = _merge_windows(win_company, win_start, win_end)

    # Slots sorted by start: those starting inside [a, b) are one contiguous run of this order.
    order = np.argsort(slot_start, kind="stable")
    sorted_start, sorted_end = slot_start[order], slot_end[order]
    lo = np.searchsorted(sorted_start, starts, side="left")
    hi = np.searchsorted(sorted_start, ends, side="left")
    counts = hi - lo
    window_of = np.repeat(np.arange(starts.size), counts)
    # Position inside each run, then shifted to the run's first sorted slot: ragged ranges, no loop.
    run_first = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(window_of.size, dtype=np.int64) - run_first + lo[window_of]
    fits = sorted_end[position] <= ends[window_of]
    window_of, position = window_of[fits], position[fits]

    margin = np.minimum(sorted_start[position] - starts[window_of], ends[window_of] - sorted_end[position])
    return FeasibilityGraph(
        company=owners[window_of],
        slot=order[position],
        margin=margin,
        slot_start=slot_start,
        slot_end=slot_end,
        n_companies=n_companies,
        n_slots=n_slots,
    )


def _merge_windows(
    company: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge each company's overlapping or touching windows; returns (starts, ends, companies) sorted."""
    order = np.lexsort((start, company))
    company, start, end = company[order], start[order], end[order]
    # Replace times by their rank among all distinct times (order and equality are kept), then shift
    # each company by its own band, so one running maximum over all windows never leaks from one
    # company into the next and the integers stay small whatever the span of time.
    times, ranks = np.unique(np.concatenate((start, end)), return_inverse=True)
    band = times.size + 1
    start_key = company * band + ranks[: start.size]
    end_key = company * band + ranks[start.size :]
    reach = np.maximum.accumulate(end_key)
    opens = np.ones(start.size, dtype=bool)
    opens[1:] = start_key[1:] > reach[:-1]  # touching windows (start == previous end) are joined
    first = np.flatnonzero(opens)
    return start[first], np.maximum.reduceat(end, first), company[first]
