"""Pitch-slot scheduling: plain Python (no Flask, no database) from a problem to an optimal schedule.

The web app builds a :class:`Problem` (or reads one with :func:`parse_problem`), calls :func:`solve`
and stores the :class:`Solution`; ``python -m roadshow.scheduling solve PROBLEM.json`` does the same
from a file. The format and what "optimal" means: ``shared/formats/scheduling.md``.

The solver (and numpy) is imported on first use of ``solve``, ``build_feasibility`` or
``optimal_matching``, so reading and checking a problem stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from roadshow.scheduling.problem import (
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
from roadshow.scheduling.solution import Assignment, Solution, SolutionStats, Unplaced, solution_to_dict

if TYPE_CHECKING:
    from roadshow.scheduling.feasibility import FeasibilityGraph, build_feasibility
    from roadshow.scheduling.solver import optimal_matching, solve

_LAZY = {
    "solve": "roadshow.scheduling.solver",
    "optimal_matching": "roadshow.scheduling.solver",
    "build_feasibility": "roadshow.scheduling.feasibility",
    "FeasibilityGraph": "roadshow.scheduling.feasibility",
}

__all__ = [
    "Assignment",
    "Company",
    "FeasibilityGraph",
    "LockedPair",
    "Problem",
    "ProblemError",
    "Slot",
    "Solution",
    "SolutionStats",
    "Unplaced",
    "Window",
    "build_feasibility",
    "can_take",
    "check_problem",
    "merged_windows",
    "optimal_matching",
    "parse_problem",
    "problem_to_dict",
    "solution_to_dict",
    "solve",
]


def __getattr__(name: str) -> Any:
    """Import the numpy-backed parts on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
