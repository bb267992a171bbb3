"""README.md documents every environment variable config.py reads."""

from __future__ import annotations

import re

from roadshow import PROJECT_ROOT

READ_IN_CONFIG = re.compile(r'(?:environ\.get|_int|_bool)\(\s*"([A-Z][A-Z0-9_]*)"')


def test_readme_documents_every_environment_variable_of_config():
    names = set(READ_IN_CONFIG.findall((PROJECT_ROOT / "config.py").read_text(encoding="utf-8")))
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert {"DATABASE_URL", "SECRET_KEY", "REDIS_URL"} <= names
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
