"""The application factory and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import DevelopmentConfig, ProductionConfig, development_secret_key
from roadshow import create_app


def test_factory_uses_given_config(app):
    assert app.testing is True
    assert app.config["SERVER_NAME"] == "roadshow.test"


def test_production_without_secret_key_refuses_to_start(tmp_path: Path):
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path):
    class Dev(DevelopmentConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"

    first = create_app(Dev).config["SECRET_KEY"]
    second = create_app(Dev).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert development_secret_key(tmp_path) == first
