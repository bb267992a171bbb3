"""The pitch-slot assigner: an exact priority-then-count optimum, then a sector-grouping polish.

What is exact and what is a heuristic
-------------------------------------
1. **Validity** is guaranteed: only feasible pairs are used, one company per slot and one slot per
   company, and locked pairs are taken out before solving and put back unchanged.
2. **Priority, then count** is *exact*: one rectangular assignment problem
   (``scipy.optimize.linear_sum_assignment``, a shortest-augmenting-path Hungarian method) over the
   free companies × free slots, with integer weights that make it lexicographic (proof below).
3. **Companies well inside their availability** is *exact as a secondary objective of that same
   assignment*: among all priority-optimal matchings it maximises the summed margin (minutes
   between a slot and the nearer end of its window, capped at ``EDGE_CAP_MINUTES``).
4. **Sector grouping** (fewer sector changes between consecutive pitches of a block) is quadratic
   (it depends on pairs of neighbouring slots) and is handled by a *heuristic*: a local search of
   swaps and moves that keeps the set of placed companies (so the per-priority counts of step 2
   cannot change), keeps every pair feasible and never touches locked pairs. A move is accepted
   only when it lowers the number of sector changes, or keeps it and raises the summed margin, so
   the result is never worse than the exact matching it starts from.

Why the weights are lexicographic (proof sketch)
------------------------------------------------
Give the distinct priority levels ranks ρ = 1, 2, …, k (lowest first), a feasible pair (c, s) the
weight ``W·ρ(c) + t(c, s)`` with an integer tie-break 0 ≤ t ≤ T, and an infeasible pair 0. A
matching has at most M = min(#companies, #slots) pairs, so its tie-break total is at most M·T < W.
Hence a maximum-weight matching first maximises Σρ over the placed companies, then Σt.
The sets of companies that can be placed together are the independent sets of a *transversal
matroid*. For a matroid, Gale's theorem says the greedy basis G (take companies by falling priority,
keeping each that still fits) dominates every independent set I position by position once both are
sorted by ρ. So if I had fewer companies than G at or above some priority p, the element of I at
position ``#G(ρ ≥ p)`` would rank below p while G's ranks at least p, and Σρ(I) < Σρ(G). Therefore
every set maximising Σρ places, for every p, as many companies of priority ≥ p as possible: the
per-priority counts are lexicographically optimal (and the total count is maximal too). Weights are
integers far below 2**52, so the float64 arithmetic of the solver is exact.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from roadshow.scheduling.feasibility import FeasibilityGraph, build_feasibility, to_micros
from roadshow.scheduling.problem import Problem, check_problem, merged_windows
from roadshow.scheduling.solution import Assignment, Solution, SolutionStats, Unplaced

EDGE_CAP_MINUTES = 120  # a slot this far inside its window counts as "well inside"
MAX_POLISH_PASSES = 3  # the sector polish stops earlier when a pass improves nothing
CANDIDATES_PER_COMPANY = 4  # best-looking moves per company tried in one polish pass
_EXACT_FLOAT = 2**52  # integers below this are exact in float64 (with room for sums)
_MINUTE = 60_000_000  # microseconds


def solve(problem: Problem, *, polish: bool = True) -> Solution:
    """Assign companies to pitch slots, optimally by priority then count, and explain the rest.

    Args:
        problem: the problem (checked again here, so one built by hand gets the same errors as one
            read from JSON).
        polish: run the sector-grouping local search after the exact matching (default). Turning it
            off changes only the order within the optimum, never which companies are placed.

    Returns:
        A :class:`Solution`: every locked pair kept; for every priority level, from the highest
        down, as many companies placed as any valid schedule can place; slots well inside each
        company's availability; consecutive pitches of a block grouped by sector where the polish
        found it; every other company in ``unplaced`` with a reason a person can act on.

    Raises:
        ProblemError: when the problem is not valid (see ``check_problem``).
    """
    started = time.perf_counter()
    check_problem(problem)
    graph = build_feasibility(problem)
    n_companies, n_slots = graph.n_companies, graph.n_slots

    priority = np.fromiter((c.priority for c in problem.companies), dtype=np.int64, count=n_companies)
    company_index = {c.id: i for i, c in enumerate(problem.companies)}
    slot_index = {s.id: j for j, s in enumerate(problem.slots)}
    company_locked = np.zeros(n_companies, dtype=bool)
    slot_locked = np.zeros(n_slots, dtype=bool)
    slot_of = np.full(n_companies, -1, dtype=np.int64)
    for pair in problem.locked:
        c, s = company_index[pair.company], slot_index[pair.slot]
        company_locked[c] = slot_locked[s] = True
        slot_of[c] = s

    tie = np.minimum(graph.margin // _MINUTE, EDGE_CAP_MINUTES)
    free = ~company_locked[graph.company] & ~slot_locked[graph.slot]
    chosen_company, chosen_slot = optimal_matching(graph.company[free], graph.slot[free], tie[free], priority)
    slot_of[chosen_company] = chosen_slot

    layout = _BlockLayout(problem, graph, tie)
    if polish:
        slot_of = layout.polish(slot_of, company_locked, slot_locked)
    sector_changes = layout.total_changes(slot_of)

    unplaced = _explain_unplaced(problem, graph, slot_of, priority, slot_locked)
    return _assemble(problem, graph, slot_of, company_locked, priority, unplaced, sector_changes, started)


def optimal_matching(
    company: np.ndarray, slot: np.ndarray, tie: np.ndarray, priority: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A lexicographically priority-optimal matching, best on the tie-break among those.

    Args:
        company: per feasible edge, the company index (into *priority*).
        slot: per feasible edge, the slot index (any non-negative integers).
        tie: per feasible edge, a tie-break score in ``0..EDGE_CAP_MINUTES`` (higher is better).
        priority: per company index, its priority (positive integers; higher is more important).

    Returns:
        Two equal-length arrays (company indices, slot indices) of the chosen pairs: no company or
        slot twice, as many companies of the highest priority as possible, then of the next, and so
        on (see the module docstring for the proof), and among those the largest total *tie*.
    """
    if company.size == 0:
        return company[:0], slot[:0]
    rows, row_of_edge = _compact(company)
    cols, col_of_edge = _compact(slot)
    levels = np.array(sorted(set(priority.tolist())), dtype=np.int64)  # np.unique would import numpy.ma
    rank = np.searchsorted(levels, priority[company]) + 1  # ρ: 1 for the lowest level

    bound = min(rows.size, cols.size)  # no matching has more pairs than this
    cap = EDGE_CAP_MINUTES
    if (bound * cap + 1) * (levels.size + 1) * (bound + 1) >= _EXACT_FLOAT:  # pragma: no cover - huge
        cap = 0  # drop the tie-break rather than risk inexact floats; priorities stay exact
    scale = bound * cap + 1  # W > M·T: no tie-break total can outweigh one step of Σρ
    weight = scale * rank + np.minimum(tie, cap)

    # Infeasible pairs weigh 0, which plays the part of a dummy "unplaced" column per company without
    # widening the matrix: any matching extends to a full rectangular assignment of the same weight
    # (the other rows or columns pair up on zeros), and every feasible pair weighs at least 1, so the
    # best assignment, read back without its zeros, is a maximum-weight matching.
    benefit = np.zeros((rows.size, cols.size))
    benefit[row_of_edge, col_of_edge] = weight
    row, col = _linear_sum_assignment()(benefit, maximize=True)
    kept = benefit[row, col] > 0  # a zero is an infeasible pair: that company stays unplaced
    return rows[row[kept]], cols[col[kept]]


def _compact(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of non-negative *index* (sorted) and each element's position among them.

    Like ``np.unique(index, return_inverse=True)`` but by counting instead of sorting.
    """
    present = np.zeros(int(index.max()) + 1, dtype=bool)
    present[index] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[index]


@functools.cache
def _linear_sum_assignment() -> Callable[..., Any]:
    """scipy's ``linear_sum_assignment``, loaded without the ~0.4 s import of all of scipy.optimize.

    ``scipy.optimize.linear_sum_assignment`` is the function of the compiled module
    ``scipy/optimize/_lsap``, which needs only numpy. Importing it the ordinary way runs
    ``scipy/optimize/__init__`` and pulls in scipy.linalg, scipy.sparse and more: most of a
    command-line run's budget. So load that one extension file directly; if scipy's layout ever
    differs, fall back to the public import.
    """
    if "scipy.optimize" in sys.modules:
        return sys.modules["scipy.optimize"].linear_sum_assignment
    try:
        return _load_lsap_extension().linear_sum_assignment
    except (ImportError, OSError, AttributeError):  # pragma: no cover - another scipy layout
        from scipy.optimize import linear_sum_assignment

        return linear_sum_assignment


def _load_lsap_extension() -> Any:
    """The compiled module ``scipy.optimize._lsap``, loaded from its file without its parent packages."""
    spec = importlib.util.find_spec("scipy")  # a top-level spec is found without importing scipy
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scipy is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "optimize"
    name = "scipy.optimize._lsap"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"_lsap{suffix}"
        if path.is_file():
            loader = importlib.machinery.ExtensionFileLoader(name, str(path))
            module_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            if module_spec is None:
                break
            module = importlib.util.module_from_spec(module_spec)
            loader.exec_module(module)
            return module
    raise ImportError(f"{name} not found in {folder}")


class _BlockLayout:
    """Slots in block order and company sectors: counts sector changes and runs the sector polish.

    A *sector change* is a pair of consecutive pitches (filled slots, in time order, empty slots
    skipped) of one block whose companies have different sectors; a missing sector counts as its own
    sector. Slots without a block are in no sequence and contribute no changes.
    """

    def __init__(self, problem: Problem, graph: FeasibilityGraph, tie: np.ndarray) -> None:
        """Index blocks, sectors and the edge lookup used by the polish."""
        n_slots = graph.n_slots
        self.n_slots = n_slots
        codes: dict[str, int] = {}
        block = [-1 if s.block is None else codes.setdefault(s.block, len(codes)) for s in problem.slots]
        self.slot_block_array = np.array(block, dtype=np.int64).reshape(n_slots)
        self.slot_block = block
        # Blocked slots in sequence order: by block, then start, then position in the problem.
        blocked = np.flatnonzero(self.slot_block_array >= 0)
        order = blocked[np.lexsort((blocked, graph.slot_start[blocked], self.slot_block_array[blocked]))]
        self.sequence = order
        self.sequence_block = self.slot_block_array[order]
        self.members: list[list[int]] = [[] for _ in codes]
        for s in order.tolist():
            self.members[block[s]].append(s)

        sector_codes: dict[str, int] = {}
        sectors = [sector_codes.setdefault(c.sector or "", len(sector_codes)) for c in problem.companies]
        self.sector_array = np.array(sectors, dtype=np.int64).reshape(graph.n_companies)
        self.sector = sectors

        # Tie-break score of every pair, -1 where the company cannot take the slot: O(1) lookups.
        # int16 keeps it a quarter of the assignment's float64 matrix.
        self.tie = np.full((graph.n_companies, n_slots), -1, dtype=np.int16)
        self.tie[graph.company, graph.slot] = tie
        self.graph = graph

    # --- counting -------------------------------------------------------------------------------

    def _changes_in(self, block: int, occupant: list[int]) -> int:
        """Sector changes between consecutive pitches of *block*."""
        changes, previous = 0, -1
        sector = self.sector
        for s in self.members[block]:
            c = occupant[s]
            if c >= 0:
                current = sector[c]
                if previous >= 0 and current != previous:
                    changes += 1
                previous = current
        return changes

    def total_changes(self, slot_of: np.ndarray) -> int:
        """Sector changes over all blocks for the assignment *slot_of* (company index → slot or -1)."""
        occupant = self._occupants(slot_of)
        return sum(self._changes_in(b, occupant) for b in range(len(self.members)))

    def _occupants(self, slot_of: np.ndarray) -> list[int]:
        """Slot index → company index or -1."""
        occupant = np.full(self.n_slots, -1, dtype=np.int64)
        placed = np.flatnonzero(slot_of >= 0)
        occupant[slot_of[placed]] = placed
        return occupant.tolist()

    # --- the polish -----------------------------------------------------------------------------

    def polish(self, slot_of: np.ndarray, company_locked: np.ndarray, slot_locked: np.ndarray) -> np.ndarray:
        """Swap and move placed companies to reduce sector changes; the placed set never changes."""
        if not self.members:
            return slot_of
        occupant = self._occupants(slot_of)
        where = slot_of.tolist()
        changes = [self._changes_in(b, occupant) for b in range(len(self.members))]
        # Edges are sorted by company: company c's edges are first_edge[c]:first_edge[c + 1].
        first_edge = np.searchsorted(self.graph.company, np.arange(self.graph.n_companies + 1))

        for _ in range(MAX_POLISH_PASSES):
            if sum(changes) == 0:
                break
            slot_of = np.array(where, dtype=np.int64)
            candidates = self._candidates(slot_of, occupant, first_edge, company_locked, slot_locked)
            improved = False
            for c, s in candidates:
                if self._try_move(c, s, where, occupant, changes):
                    improved = True
            if not improved:
                break
        return self._best_margins_per_sector(np.array(where, dtype=np.int64), company_locked)

    def _best_margins_per_sector(self, slot_of: np.ndarray, company_locked: np.ndarray) -> np.ndarray:
        """Re-deal, sector by sector, the slots a sector holds among its companies for the best margins.

        Exchanging companies of one sector leaves every block's sequence of sectors as it is, so this
        is an exact optimum of the margins for the grouping the local search found. Each sector is a
        small square assignment problem; a weight ``big`` on feasible pairs (more than any margin
        total) makes the optimum use feasible pairs only, as the current assignment already does.
        """
        movable = (slot_of >= 0) & ~company_locked
        for sector in sorted(set(self.sector_array[movable].tolist())):
            members = np.flatnonzero(movable & (self.sector_array == sector))
            if members.size < 2:
                continue
            held = slot_of[members]
            tie = self.tie[np.ix_(members, held)].astype(np.float64)
            big = float(members.size * EDGE_CAP_MINUTES + 1)
            benefit = np.where(tie >= 0, tie + big, 0.0)
            rows, cols = _linear_sum_assignment()(benefit, maximize=True)
            slot_of[members[rows]] = held[cols]
        return slot_of

    def _candidates(
        self,
        slot_of: np.ndarray,
        occupant_list: list[int],
        first_edge: np.ndarray,
        company_locked: np.ndarray,
        slot_locked: np.ndarray,
    ) -> list[tuple[int, int]]:
        """Moves (company, destination slot) worth an exact look, best-looking first (vectorised).

        Only placed, unlocked companies lacking a same-sector neighbour on some side are moved. The
        estimate counts same-sector neighbours a company gains at the destination minus those it
        loses at its source, plus the same for the company it would swap with. Only moves with a
        positive estimate are kept, at most CANDIDATES_PER_COMPANY per company.
        """
        occupant = np.array(occupant_list, dtype=np.int64)
        prev_slot, next_slot = self._filled_neighbours(occupant >= 0)
        slot_sector = np.where(occupant >= 0, self.sector_array[np.maximum(occupant, 0)], -1)
        prev_sector = np.where(prev_slot >= 0, slot_sector[prev_slot], -2)
        next_sector = np.where(next_slot >= 0, slot_sector[next_slot], -2)

        # Which companies to move: placed, not locked, and not already between two of their sector.
        placed_at = np.maximum(slot_of, 0)
        settled = (prev_sector[placed_at] == self.sector_array) & (
            next_sector[placed_at] == self.sector_array
        )
        mover = np.flatnonzero((slot_of >= 0) & ~company_locked & ~settled)
        # Their edges, as ragged ranges of the company-sorted edge list.
        lo, hi = first_edge[mover], first_edge[mover + 1]
        counts = hi - lo
        edge = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(
            lo - (np.cumsum(counts) - counts), counts
        )
        company, dest = self.graph.company[edge], self.graph.slot[edge]
        # Only destinations next to a pitch of the company's own sector can gain it anything; a swap
        # that only helps the other company is found from that company's side.
        sector = self.sector_array[company]
        keep = (prev_sector[dest] == sector) | (next_sector[dest] == sector)
        company, dest, sector = company[keep], dest[keep], sector[keep]
        source = slot_of[company]
        keep = (dest != source) & ~slot_locked[dest]
        company, dest, source, sector = company[keep], dest[keep], source[keep], sector[keep]

        def same(at: np.ndarray, sector: np.ndarray, other: np.ndarray) -> np.ndarray:
            """Filled neighbours of slots *at* with *sector*, not counting slot *other*."""
            return ((prev_slot[at] != other) & (prev_sector[at] == sector)).astype(np.int64) + (
                (next_slot[at] != other) & (next_sector[at] == sector)
            )

        estimate = same(dest, sector, source) - same(source, sector, dest)
        partner = occupant[dest]
        swapping = partner >= 0
        partner_sector = self.sector_array[np.maximum(partner, 0)]
        partner_gain = same(source, partner_sector, dest) - same(dest, partner_sector, source)
        estimate = estimate + np.where(swapping, partner_gain, 0)

        # A swap needs the partner to be able to take the company's slot.
        partner_fits = self.tie[np.maximum(partner, 0), source] >= 0
        keep = (estimate > 0) & (~swapping | partner_fits)
        company, dest, source, estimate = company[keep], dest[keep], source[keep], estimate[keep]
        partner, swapping = partner[keep], swapping[keep]
        if company.size == 0:
            return []
        # Margin gained by the move (and the swap), to try the gentler of equally promising moves first.
        tie, other = self.tie, np.maximum(partner, 0)
        margin_gain = tie[company, dest].astype(np.int64) - tie[company, source]
        margin_gain += np.where(swapping, tie[other, source].astype(np.int64) - tie[other, dest], 0)

        # The best few per company (by estimate, then margin gained); then all of them by falling
        # estimate, company and margin gained. (Ordering by margin before company loses a few percent
        # of the grouping on the benchmark problems; grouping comes first.)
        order = np.lexsort((dest, -margin_gain, -estimate, company))
        company, dest, estimate, margin_gain = (
            company[order],
            dest[order],
            estimate[order],
            margin_gain[order],
        )
        group_start = np.flatnonzero(np.r_[True, company[1:] != company[:-1]])
        rank = np.arange(company.size) - np.repeat(group_start, np.diff(np.r_[group_start, company.size]))
        top = rank < CANDIDATES_PER_COMPANY
        company, dest, estimate, margin_gain = company[top], dest[top], estimate[top], margin_gain[top]
        order = np.lexsort((dest, -margin_gain, company, -estimate))
        return list(zip(company[order].tolist(), dest[order].tolist(), strict=True))

    def _filled_neighbours(self, filled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per slot, the nearest filled slot before and after it in its block (-1 when none)."""
        prev_slot = np.full(self.n_slots, -1, dtype=np.int64)
        next_slot = np.full(self.n_slots, -1, dtype=np.int64)
        sequence, block = self.sequence, self.sequence_block
        n = sequence.size
        if n == 0:
            return prev_slot, next_slot
        position = np.arange(n)
        is_filled = filled[sequence]
        last = np.maximum.accumulate(np.where(is_filled, position, -1))
        before = np.r_[-1, last[:-1]]
        ok = before >= 0
        ok[ok] = block[before[ok]] == block[ok]
        prev_slot[sequence[ok]] = sequence[before[ok]]
        first = np.minimum.accumulate(np.where(is_filled, position, n)[::-1])[::-1]
        after = np.r_[first[1:], n]
        ok = after < n
        ok[ok] = block[after[ok]] == block[ok]
        next_slot[sequence[ok]] = sequence[after[ok]]
        return prev_slot, next_slot

    def _try_move(self, c: int, s2: int, where: list[int], occupant: list[int], changes: list[int]) -> bool:
        """Move company *c* to slot *s2* (swapping with its holder) if that improves; apply it if so."""
        s1 = where[c]
        if s1 < 0 or s1 == s2:
            return False
        d = occupant[s2]
        tie = self.tie
        gain = int(tie[c, s2]) - int(tie[c, s1])
        if d >= 0:
            back = int(tie[d, s1])
            if back < 0:
                return False
            gain += back - int(tie[d, s2])
        b1, b2 = self.slot_block[s1], self.slot_block[s2]
        touched = [b for b in {b1, b2} if b >= 0]
        before = sum(changes[b] for b in touched)
        occupant[s2], occupant[s1] = c, d
        after = {b: self._changes_in(b, occupant) for b in touched}
        delta = sum(after.values()) - before
        if delta < 0 or (delta == 0 and gain > 0):
            where[c] = s2
            if d >= 0:
                where[d] = s1
            for b, n in after.items():
                changes[b] = n
            return True
        occupant[s1], occupant[s2] = c, d
        return False


def _plural(n: int, word: str) -> str:
    """'1 slot', '3 slots'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _explain_unplaced(
    problem: Problem,
    graph: FeasibilityGraph,
    slot_of: np.ndarray,
    priority: np.ndarray,
    slot_locked: np.ndarray,
) -> list[Unplaced]:
    """A reason, for every company left without a slot, that says what would change the outcome."""
    unplaced = np.flatnonzero(slot_of < 0)
    if unplaced.size == 0:
        return []
    n_companies = graph.n_companies
    occupant = np.full(graph.n_slots, -1, dtype=np.int64)
    placed = np.flatnonzero(slot_of >= 0)
    occupant[slot_of[placed]] = placed

    on_unplaced = slot_of[graph.company] < 0
    company, slot = graph.company[on_unplaced], graph.slot[on_unplaced]
    holder = occupant[slot]
    feasible = np.bincount(company, minlength=n_companies)
    locked = np.bincount(company[slot_locked[slot]], minlength=n_companies)
    free = np.bincount(company[holder < 0], minlength=n_companies)
    # Optimality guarantees these are zero: a free slot, or one held (unlocked) by a lower priority,
    # would let this company in and give a better schedule. Counted anyway, to say so if not.
    lower = np.bincount(
        company[(holder >= 0) & ~slot_locked[slot] & (priority[np.maximum(holder, 0)] < priority[company])],
        minlength=n_companies,
    )

    reasons = []
    for c in unplaced.tolist():
        company_id = problem.companies[c].id
        n, n_locked = int(feasible[c]), int(locked[c])
        if n == 0:
            code, reason = _no_feasible_slot(problem, graph, c)
        elif free[c] or lower[c]:  # pragma: no cover - only if the optimum were not optimal
            code, reason = (
                "unplaced",
                "not placed although a slot it can take is free or held by a lower priority",
            )
        elif n_locked == n:
            code = "locked_out"
            reason = (
                "the only slot it can take is locked to another company"
                if n == 1
                else f"all {n} slots it can take are locked to other companies"
            )
        elif n_locked == 0:
            code = "outcompeted"
            reason = (
                "the only slot it can take went to a company of higher or equal priority"
                if n == 1
                else f"all {n} slots it can take went to companies of higher or equal priority"
            )
        else:
            code = "outcompeted"
            others = n - n_locked
            by = "a company" if others == 1 else "companies"
            reason = (
                f"all {n} slots it can take are taken: {n_locked} locked by an organiser, "
                f"{others} by {by} of higher or equal priority"
            )
        reasons.append(Unplaced(company=company_id, code=code, reason=reason))
    return reasons


def _no_feasible_slot(problem: Problem, graph: FeasibilityGraph, c: int) -> tuple[str, str]:
    """Code and reason for a company that can take no slot at all."""
    company = problem.companies[c]
    if not company.availability:
        return "no_availability", "no availability given"
    overlaps = np.zeros(graph.n_slots, dtype=bool)
    for window in merged_windows(company.availability):
        start, end = to_micros(window.start), to_micros(window.end)
        overlaps |= (graph.slot_start < end) & (graph.slot_end > start)
    n = int(overlaps.sum())
    if n == 0:
        return "no_overlap", "no availability window overlaps any slot"
    return "partial_overlap", (
        f"its availability overlaps {_plural(n, 'slot')} but covers none of them from start to end"
    )


def _assemble(
    problem: Problem,
    graph: FeasibilityGraph,
    slot_of: np.ndarray,
    company_locked: np.ndarray,
    priority: np.ndarray,
    unplaced: list[Unplaced],
    sector_changes: int,
    started: float,
) -> Solution:
    """The Solution object: assignments in slot order, unplaced in problem order, and stats."""
    placed = np.flatnonzero(slot_of >= 0)
    slots = slot_of[placed]
    order = np.lexsort((slots, graph.slot_start[slots]))
    assignments = tuple(
        Assignment(company=problem.companies[c].id, slot=problem.slots[s].id, locked=bool(company_locked[c]))
        for c, s in zip(placed[order].tolist(), slots[order].tolist(), strict=True)
    )
    levels = sorted(set(priority.tolist()), reverse=True)
    placed_priority = Counter(priority[placed].tolist())
    unplaced_priority = Counter(priority[slot_of < 0].tolist())
    stats = SolutionStats(
        placed=len(assignments),
        unplaced=len(unplaced),
        seconds=round(time.perf_counter() - started, 4),
        locked=len(problem.locked),
        placed_by_priority={p: placed_priority[p] for p in levels},
        unplaced_by_priority={p: unplaced_priority[p] for p in levels},
        sector_changes=sector_changes,
    )
    return Solution(assignments=assignments, unplaced=tuple(unplaced), stats=stats)
