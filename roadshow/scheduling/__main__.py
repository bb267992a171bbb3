"""Command line: ``python -m roadshow.scheduling solve PROBLEM.json`` prints the solution as JSON.

Exit status 0 with a solution on standard output; 2 with one line on standard error for a file that
cannot be read or is not a valid problem. ``-`` reads the problem from standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from roadshow.scheduling.problem import ProblemError, parse_problem
from roadshow.scheduling.solution import solution_to_dict

EXIT_INVALID = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m roadshow.scheduling", description="Assign companies to pitch slots optimally."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve", help="solve a problem file and print the solution JSON")
    solve_command.add_argument("problem", help="the problem JSON file, or - for standard input")
    args = parser.parse_args(argv)

    label = "<stdin>" if args.problem == "-" else args.problem
    try:
        problem = parse_problem(_read_json(args.problem))
    except _ReadError as exc:
        return _fail(f"{label}: {exc}")
    except ProblemError as exc:
        return _fail(f"{label}: {exc}")

    from roadshow.scheduling.solver import solve  # numpy is imported only for a valid problem

    solution = solve(problem)
    text = json.dumps(solution_to_dict(solution), indent=2, ensure_ascii=False)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 0


class _ReadError(Exception):
    """The problem file could not be read or decoded as JSON."""


def _read_json(path: str) -> object:
    """The decoded JSON of file *path* (``-``: standard input); _ReadError with a one-line message."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else _read_bytes(path)
    except OSError as exc:
        raise _ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _ReadError("not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _ReadError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise _ReadError("not valid JSON: nested too deeply") from None


def _read_bytes(path: str) -> bytes:
    """The bytes of file *path*."""
    with open(path, "rb") as handle:
        return handle.read()


def _fail(message: str) -> int:
    """Print *message* as one line on standard error; return the exit status for invalid input."""
    print(" ".join(message.split("\n")), file=sys.stderr)
    return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
