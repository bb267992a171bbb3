"""What the solver returns: assignments, unplaced companies with reasons, and figures about the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Assignment:
    """A company placed in a slot; *locked* when an organiser fixed the pair by hand."""

    company: str
    slot: str
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A company left without a slot, with a machine-readable *code* and a *reason* a person can act on.

    Codes: ``no_availability`` (no windows given), ``no_overlap`` (no window overlaps any slot),
    ``partial_overlap`` (windows overlap slots but cover none from start to end), ``locked_out``
    (every slot it can take is locked to another company), ``outcompeted`` (every slot it can take
    went to a company of higher or equal priority, or was locked).
    """

    company: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class SolutionStats:
    """Figures about one run; priorities map to counts, highest priority first."""

    placed: int
    unplaced: int
    seconds: float
    locked: int
    placed_by_priority: dict[int, int] = field(default_factory=dict)
    unplaced_by_priority: dict[int, int] = field(default_factory=dict)
    sector_changes: int = 0


@dataclass(frozen=True, slots=True)
class Solution:
    """The schedule: assignments in slot order, unplaced companies in problem order, and stats."""

    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    stats: SolutionStats

    def slot_of(self) -> dict[str, str]:
        """A map from company id to the id of its slot, for placed companies."""
        return {a.company: a.slot for a in self.assignments}


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The JSON-ready form of *solution*, as the command line prints it.

    Args:
        solution: a solution returned by ``solve``.

    Returns:
        ``{"assignments": [{"company", "slot"}…], "unplaced": [{"company", "reason", "code"}…],
        "stats": {"placed", "unplaced", "seconds", "locked", "placed_by_priority",
        "unplaced_by_priority", "sector_changes"}}``; priorities become string keys (JSON objects have
        string keys), highest first.
    """
    stats = solution.stats
    return {
        "assignments": [{"company": a.company, "slot": a.slot} for a in solution.assignments],
        "unplaced": [{"company": u.company, "reason": u.reason, "code": u.code} for u in solution.unplaced],
        "stats": {
            "placed": stats.placed,
            "unplaced": stats.unplaced,
            "seconds": stats.seconds,
            "locked": stats.locked,
            "placed_by_priority": {str(p): n for p, n in stats.placed_by_priority.items()},
            "unplaced_by_priority": {str(p): n for p, n in stats.unplaced_by_priority.items()},
            "sector_changes": stats.sector_changes,
        },
    }
