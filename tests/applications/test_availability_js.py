"""availability.js converts typed wall-clock times as the server does (run with Node when installed)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from roadshow import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "roadshow" / "static" / "js" / "availability.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def _instants(*cases: tuple[int, int, int, int, int, str]) -> list[list[str]]:
    program = (
        f"const a = require({json.dumps(str(SCRIPT))});"
        f"const cases = {json.dumps(cases)};"
        "console.log(JSON.stringify(cases.map(c => a.localToInstants(...c)"
        ".map(ms => new Date(ms).toISOString().slice(0, 16)))));"
    )
    result = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=20, check=True)
    return json.loads(result.stdout)


def test_js_conversion_matches_the_server_across_dst_changes():
    assert _instants(
        (2026, 10, 25, 9, 0, "Europe/Berlin"),
        (2026, 10, 25, 12, 0, "Europe/Berlin"),
        (2026, 10, 25, 2, 30, "Europe/Berlin"),
        (2026, 3, 29, 2, 30, "Europe/Berlin"),
        (2026, 10, 25, 9, 0, "Asia/Shanghai"),
        (2026, 10, 25, 12, 0, "Asia/Shanghai"),
    ) == [
        ["2026-10-25T08:00"],
        ["2026-10-25T11:00"],
        ["2026-10-25T00:30", "2026-10-25T01:30"],  # repeated hour: two instants, shown as a warning
        [],  # skipped by the spring change: none
        ["2026-10-25T01:00"],
        ["2026-10-25T04:00"],
    ]
