"""timezone.js posts the browser's zone once, reloads a zone-sensitive page once, and presets a blank
zone choice (run with Node when installed, against a minimal stand-in for the browser)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from roadshow import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "roadshow" / "static" / "js" / "timezone.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

HARNESS = """
const options = JSON.parse(process.env.HARNESS_OPTIONS);
const calls = { fetch: [], reloads: 0, cookieWrites: [] };
let cookie = options.cookie;
const select = {
  value: "",
  querySelector: (selector) => (selector === 'option[value="' + options.offered + '"]' ? {} : null),
};
global.window = {
  fetch: (url, init) => {
    calls.fetch.push({ url, method: init.method, headers: init.headers, body: init.body.toString() });
    if (options.status === 204) {
      cookie = "tz=" + encodeURIComponent(options.zoneSet);
    }
    return Promise.resolve({ status: options.status });
  },
  URLSearchParams: URLSearchParams,
  sessionStorage: {
    store: {},
    getItem(key) { return key in this.store ? this.store[key] : null; },
    setItem(key, value) { this.store[key] = String(value); },
  },
  location: { protocol: options.protocol, reload: () => { calls.reloads += 1; } },
};
global.document = {
  get cookie() { return cookie; },
  set cookie(value) { calls.cookieWrites.push(value); cookie = value.split(";")[0]; },
  readyState: "complete",
  addEventListener: () => {},
  querySelector: (selector) => {
    if (selector === 'input[name="csrf_token"]') return options.token ? { value: options.token } : null;
    if (selector === "[data-timezone-sensitive]") return options.sensitive ? {} : null;
    return null;
  },
  querySelectorAll: (selector) => (selector === "select[data-timezone-detect]" ? [select] : []),
};
require(process.env.SCRIPT);
setTimeout(() => console.log(JSON.stringify({ ...calls, selectValue: select.value })), 50);
"""


def _run(
    zone: str,
    *,
    cookie: str = "",
    status: int = 204,
    sensitive: bool = True,
    offered: str = "",
    token: str | None = "token-123",  # noqa: S107 - a stand-in CSRF token
    protocol: str = "https:",
) -> dict:
    options = {
        "token": token,
        "protocol": protocol,
        "cookie": cookie,
        "status": status,
        "sensitive": sensitive,
        "zoneSet": zone,
        "offered": offered,
    }
    env = {**os.environ, "TZ": zone, "SCRIPT": str(SCRIPT), "HARNESS_OPTIONS": json.dumps(options)}
    result = subprocess.run(
        [NODE, "-e", HARNESS], capture_output=True, text=True, timeout=20, check=True, env=env
    )
    return json.loads(result.stdout)


def test_js_posts_a_new_zone_with_the_csrf_token_and_reloads_once():
    calls = _run("Asia/Shanghai")
    assert calls["fetch"] == [
        {
            "url": "/timezone",
            "method": "POST",
            "headers": {
                "X-CSRFToken": "token-123",
                "X-Requested-With": "fetch",
                "Accept": "application/json",
            },
            "body": "timezone=Asia%2FShanghai&csrf_token=token-123",
        }
    ]
    assert calls["reloads"] == 1


def test_js_posts_nothing_when_the_cookie_already_holds_the_zone():
    calls = _run("Europe/Helsinki", cookie="lang=zh; tz=Europe%2FHelsinki")
    assert calls["fetch"] == []
    assert calls["reloads"] == 0


def test_js_does_not_reload_when_the_server_refuses_the_zone():
    calls = _run("Asia/Shanghai", status=400)
    assert len(calls["fetch"]) == 1
    assert calls["reloads"] == 0


def test_js_does_not_reload_a_page_whose_times_do_not_depend_on_it():
    calls = _run("Asia/Shanghai", sensitive=False)
    assert len(calls["fetch"]) == 1
    assert calls["reloads"] == 0


def test_js_presets_a_blank_zone_choice_it_offers():
    assert _run("Europe/London", offered="Europe/London")["selectValue"] == "Europe/London"
    assert _run("Europe/London", offered="Asia/Tokyo")["selectValue"] == ""


def test_js_on_a_page_without_a_token_sets_the_cookie_itself_and_reloads_once():
    calls = _run("Asia/Shanghai", token=None)
    assert calls["fetch"] == []
    assert calls["cookieWrites"] == ["tz=Asia/Shanghai; Path=/; Max-Age=31536000; SameSite=Lax; Secure"]
    assert calls["reloads"] == 1


def test_js_without_a_token_over_plain_http_sets_no_secure_flag_and_skips_known_zones():
    calls = _run("America/Sao_Paulo", token=None, protocol="http:", sensitive=False)
    written = "tz=America/Sao_Paulo; Path=/; Max-Age=31536000; SameSite=Lax"
    assert calls["cookieWrites"] == [written]
    assert calls["reloads"] == 0
    assert _run("Europe/Brussels", token=None, cookie="tz=Europe/Brussels")["cookieWrites"] == []
