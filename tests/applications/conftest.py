"""Fixtures for the company-side application tests."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.applications.helpers import World, build_world


@pytest.fixture
def world(app: Flask, make_user, make_event, make_organisation) -> World:
    """Two roadshows, three companies and their people (see tests.applications.helpers.World)."""
    return build_world(app, make_user, make_event, make_organisation)
