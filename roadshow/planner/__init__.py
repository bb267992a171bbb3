"""The organisers' overlap planner: working hours across European and Chinese zones."""

from roadshow.planner.routes import bp

__all__ = ["bp"]
