"""The organisers' overlap planner: working hours across European and Chinese zones.

``roadshow.planner.overlap`` is plain Python; the blueprint is imported only when asked for
(``from roadshow.planner import bp``), so importing the pure module does not load Flask.
"""

from __future__ import annotations

from typing import Any

__all__ = ["bp"]


def __getattr__(name: str) -> Any:
    if name == "bp":
        from roadshow.planner.routes import bp

        return bp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
