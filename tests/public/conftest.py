"""Fixtures for the public pages: every test starts with an empty page cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from roadshow.public.page_cache import page_cache


@pytest.fixture(autouse=True)
def _empty_page_cache(app: Flask) -> Iterator[None]:
    """Forget pages cached by earlier tests (keys never collide, but a test should see only its own)."""
    page_cache(app).clear()
    yield
    page_cache(app).clear()
