"""Helpers for the review-desk tests: applications from several companies, and a query counter."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import recorded_statements

JUNE_10 = datetime(2030, 6, 10, tzinfo=UTC)
WINDOW = [(JUNE_10.replace(hour=7), JUNE_10.replace(hour=10))]


counted_queries = recorded_statements  # the SQL statements run inside a ``with`` block
