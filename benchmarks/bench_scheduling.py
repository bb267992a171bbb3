"""Benchmark the pitch-slot scheduler on realistic problems and check its optimum independently.

    .venv/bin/python benchmarks/bench_scheduling.py [--sizes 100 300 1000 3000] [--importtime]

Problems: pitch blocks of twelve 15-minute slots on 20–30 Oct 2026 in EU mornings (09:00–12:00
Berlin, which are Chinese afternoons) and EU afternoons (15:00–18:00 Berlin, US mornings), with
1.5 slots per company. European summer time ends on 25 Oct (US time only on 1 Nov), so the same
local availability lands on different instants before and after: every window is written as local
time in the company's own zone and converted with zoneinfo. Companies: half European (mornings,
some also afternoons), a third Chinese (afternoons in Shanghai), the rest American (mornings in
New York or Chicago); priorities 3 (5 %), 2 (65 %), 1 (30 %); eight sectors; 1 % locked by hand.

For each size the table gives the time to build the feasibility graph, to solve (matching, polish
and reasons), and to run the command line end to end in a fresh interpreter (start, imports, read,
solve, write), then the placed counts per priority, checked against an independent optimum
(networkx maximum bipartite matchings on nested priority classes: by the matroid argument in
``roadshow/scheduling/solver.py`` the optimum places rank(≥p) − rank(>p) companies of each priority
p), and what a greedy pass (by priority, first free slot) would place.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roadshow.scheduling import (  # noqa: E402 - the project root must be on the path first
    Company,
    LockedPair,
    Problem,
    Slot,
    Window,
    build_feasibility,
    can_take,
    problem_to_dict,
    solve,
)

DAYS = [date(2026, 10, 20) + timedelta(days=i) for i in range(11)]  # DST ends in Europe on 25 Oct
SECTORS = [
    ("medical-devices", 5),
    ("biotech", 4),
    ("clean-energy", 4),
    ("ai-software", 3),
    ("advanced-manufacturing", 3),
    ("agri-food", 2),
    ("mobility", 2),
    ("fintech", 1),
]
EU_ZONES = [
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Europe/London",
    "Europe/Helsinki",
]
US_ZONES = ["America/New_York", "America/Chicago"]
SLOT_MINUTES = 15
SLOTS_PER_BLOCK = 12


def local(day: date, hour: float, tz: str) -> datetime:
    """The instant of local wall-clock *hour* (e.g. 9.5 = 09:30) on *day* in zone *tz*."""
    minutes = round(hour * 60)
    wall = datetime.combine(day, clock(minutes // 60, minutes % 60), tzinfo=ZoneInfo(tz))
    return wall.astimezone(ZoneInfo("UTC"))


def generate_problem(n_companies: int, seed: int = 7) -> Problem:
    """A realistic problem with *n_companies* companies and 1.5 times as many slots."""
    rng = random.Random(seed)
    n_slots = n_companies * 3 // 2
    n_blocks = -(-n_slots // SLOTS_PER_BLOCK)
    morning_blocks = round(n_blocks * 0.7)
    # (period start hour in Berlin, number of blocks): rooms in parallel, filled day by day.
    slots: list[Slot] = []
    for period, count, start_hour in (("am", morning_blocks, 9.0), ("pm", n_blocks - morning_blocks, 15.0)):
        for b in range(count):
            day, room = DAYS[b % len(DAYS)], b // len(DAYS)
            block = f"{day:%m%d}-{period}-room{room}"
            for k in range(SLOTS_PER_BLOCK):
                if len(slots) >= n_slots:
                    break
                start = local(day, start_hour + k * SLOT_MINUTES / 60, "Europe/Berlin")
                end = start + timedelta(minutes=SLOT_MINUTES)
                slots.append(Slot(id=f"{block}-{k:02d}", start=start, end=end, block=block))

    sector_names = [s for s, _ in SECTORS]
    sector_weights = [w for _, w in SECTORS]
    companies = []
    for i in range(n_companies):
        roll = rng.random()
        if roll < 0.5:
            region, tz = "EU", rng.choice(EU_ZONES)
        elif roll < 0.85:
            region, tz = "CN", "Asia/Shanghai"
        else:
            region, tz = "US", rng.choice(US_ZONES)
        day_weights = [0.3 if d.weekday() >= 5 else 1.0 for d in DAYS]
        days = sorted(set(rng.choices(DAYS, weights=day_weights, k=rng.randint(2, 4))))
        windows = []
        for day in days:
            if region == "EU":
                begin = rng.choice([8.5, 9.0, 9.5, 10.0])
                windows.append((day, begin, begin + rng.choice([2.0, 2.5, 3.0, 3.5])))
                if rng.random() < 0.3:
                    windows.append((day, 14.5, 17.5))
            elif region == "CN":
                begin = rng.choice([14.0, 14.5, 15.0, 16.0])
                windows.append((day, begin, begin + rng.choice([2.0, 3.0, 4.0])))
            else:
                begin = rng.choice([8.0, 8.5, 9.0])
                windows.append((day, begin, begin + rng.choice([2.5, 3.0, 4.0])))
        priority = 3 if rng.random() < 0.05 else (2 if rng.random() < 0.68 else 1)
        companies.append(
            Company(
                id=f"{region.lower()}-{i:05d}",
                availability=tuple(Window(local(d, a, tz), local(d, b, tz)) for d, a, b in windows),
                priority=priority,
                sector=rng.choices(sector_names, weights=sector_weights)[0],
                region=region,
                timezone=tz,
            )
        )

    locked, taken = [], set()
    for company in rng.sample(companies, k=max(1, n_companies // 100)):
        options = [s for s in slots if s.id not in taken and can_take(company, s)]
        if options:
            slot = rng.choice(options)
            taken.add(slot.id)
            locked.append(LockedPair(company=company.id, slot=slot.id))
    return Problem(slots=tuple(slots), companies=tuple(companies), locked=tuple(locked))


def greedy_placed(problem: Problem) -> dict[int, int]:
    """Placed counts per priority of a greedy pass: by falling priority, each takes its first free slot."""
    graph = build_feasibility(problem)
    index = {c.id: i for i, c in enumerate(problem.companies)}
    slot_index = {s.id: j for j, s in enumerate(problem.slots)}
    used = {slot_index[p.slot] for p in problem.locked}
    done = {index[p.company] for p in problem.locked}
    counts: dict[int, int] = {}
    for p in problem.locked:
        prio = problem.companies[index[p.company]].priority
        counts[prio] = counts.get(prio, 0) + 1
    by_company = np.split(graph.slot, np.flatnonzero(np.diff(graph.company)) + 1)
    owners = [int(part[0]) for part in np.split(graph.company, np.flatnonzero(np.diff(graph.company)) + 1)]
    options = dict(zip(owners, by_company, strict=True)) if graph.n_edges else {}
    order = sorted(range(len(problem.companies)), key=lambda i: -problem.companies[i].priority)
    for c in order:
        if c in done:
            continue
        for s in options.get(c, ()):
            if int(s) not in used:
                used.add(int(s))
                prio = problem.companies[c].priority
                counts[prio] = counts.get(prio, 0) + 1
                break
    return counts


def networkx_optimum(problem: Problem) -> dict[int, int]:
    """Optimal placed counts per priority from networkx maximum matchings on nested priority classes."""
    import networkx as nx

    graph = build_feasibility(problem)
    index = {c.id: i for i, c in enumerate(problem.companies)}
    slot_index = {s.id: j for j, s in enumerate(problem.slots)}
    locked_companies = {index[p.company] for p in problem.locked}
    locked_slots = {slot_index[p.slot] for p in problem.locked}
    priority = np.array([c.priority for c in problem.companies])
    counts: dict[int, int] = {}
    for p in problem.locked:
        prio = int(priority[index[p.company]])
        counts[prio] = counts.get(prio, 0) + 1

    keep = np.array(
        [
            c not in locked_companies and s not in locked_slots
            for c, s in zip(graph.company.tolist(), graph.slot.tolist(), strict=True)
        ],
        dtype=bool,
    )
    company, slot = graph.company[keep], graph.slot[keep]
    previous_rank = 0
    for level in sorted(set(priority.tolist()), reverse=True):
        chosen = priority[company] >= level
        g = nx.Graph()
        left = {("c", int(c)) for c in company[chosen].tolist()}
        g.add_nodes_from(left, bipartite=0)
        g.add_edges_from(
            (("c", c), ("s", s)) for c, s in zip(company[chosen].tolist(), slot[chosen].tolist(), strict=True)
        )
        matching = nx.bipartite.hopcroft_karp_matching(g, top_nodes=left) if left else {}
        rank = sum(1 for node in matching if node[0] == "c")
        counts[level] = counts.get(level, 0) + rank - previous_rank
        previous_rank = rank
    return counts


def cli_seconds(problem_path: Path, repeat: int) -> tuple[float, dict]:
    """Best wall time of the command line over *repeat* runs, and its parsed output."""
    best, output = float("inf"), {}
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "roadshow.scheduling", "solve", str(problem_path)],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        best = min(best, time.perf_counter() - started)
        output = json.loads(done.stdout)
    return best, output


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The best wall time of *repeat* calls of *run*, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def floor_seconds(code: str, repeat: int) -> float:
    """Best wall time of ``python -c code`` over *repeat* runs (what imports alone cost)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def show_counts(counts: dict[int, int]) -> str:
    """'3:12 2:600 1:200' with the highest priority first."""
    return " ".join(f"{p}:{counts.get(p, 0)}" for p in sorted(counts, reverse=True))


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--repeat", type=int, default=3, help="command-line runs per size (best is shown)")
    parser.add_argument("--no-networkx", action="store_true", help="skip the independent optimum")
    parser.add_argument("--importtime", action="store_true", help="print the slowest imports of the CLI")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    print(
        f"import floors: python -c pass {floor_seconds('pass', args.repeat):.3f}s, "
        f"import numpy {floor_seconds('import numpy', args.repeat):.3f}s, "
        f"import roadshow {floor_seconds('import roadshow', args.repeat):.3f}s"
    )
    header = (
        f"{'companies':>9} {'slots':>6} {'edges':>8} {'build s':>8} {'match s':>8} {'solve s':>8} "
        f"{'CLI s':>7} {'placed':>7}  {'per priority':<20} {'optimum check':<14} {'greedy':<20} "
        "sector changes"
    )
    print(header)
    print("-" * len(header))
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            problem = generate_problem(n)
            build, graph = best_of(args.repeat, lambda p=problem: build_feasibility(p))
            match, plain = best_of(args.repeat, lambda p=problem: solve(p, polish=False))
            seconds, solution = best_of(args.repeat, lambda p=problem: solve(p))
            path = Path(folder) / f"problem-{n}.json"
            path.write_text(json.dumps(problem_to_dict(problem)))
            cli, output = cli_seconds(path, args.repeat)
            assert output["stats"]["placed"] == solution.stats.placed

            placed = solution.stats.placed_by_priority
            if args.no_networkx:
                check = "skipped"
            else:
                optimum = networkx_optimum(problem)
                same = all(optimum.get(p, 0) == placed.get(p, 0) for p in set(optimum) | set(placed))
                check = "optimal" if same else f"DIFF {show_counts(optimum)}"
                ok = ok and same
            print(
                f"{n:>9} {len(problem.slots):>6} {graph.n_edges:>8} {build:>8.3f} "
                f"{match:>8.3f} {seconds:>8.3f} {cli:>7.3f} {solution.stats.placed:>7}  "
                f"{show_counts(placed):<20} {check:<14} {show_counts(greedy_placed(problem)):<20} "
                f"{plain.stats.sector_changes} -> {solution.stats.sector_changes}"
            )
            if args.importtime and n == max(args.sizes):
                print_importtime(path)
    print(
        f"build, match, solve: best of {args.repeat} calls in this process; match s = solve(polish=False), "
        "solve s = solve(),\nboth including the build; CLI s = fresh interpreter + imports + read + solve + "
        f"write, best of {args.repeat};\ngreedy = by priority, each company takes its first free slot; "
        "sector changes: without -> with the polish."
    )
    return 0 if ok else 1


def print_importtime(path: Path) -> None:
    """The slowest imports (cumulative) of one command-line run, from ``python -X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "roadshow.scheduling", "solve", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split(":", 1)[1].split("|")
            if len(name) - len(name.lstrip()) == 1:  # nested imports are indented further
                rows.append((int(cumulative), name.strip()))
    top = sorted(rows, reverse=True)[:8]
    print("  slowest top-level imports (ms): " + ", ".join(f"{name} {us / 1000:.0f}" for us, name in top))


if __name__ == "__main__":
    sys.exit(main())
