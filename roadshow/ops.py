"""Operations: health checks, request ids in logs, backup and restore (placeholder)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install health routes, logging and operations commands."""
