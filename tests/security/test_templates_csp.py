"""Templates stay within the Content-Security-Policy: no style attributes, inline scripts or styles,
inline event handlers or javascript: URLs (the browser would refuse them). E-mail templates are
exempt: mail clients need inline styles and never see our CSP.
"""

from __future__ import annotations

import re

import pytest

from roadshow import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
WEB_TEMPLATES = sorted(
    path for path in TEMPLATES.rglob("*.html") if "mail" not in path.relative_to(TEMPLATES).parts
)
FORBIDDEN = {
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "inline <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\ssrc\s*=)[^>]*>", re.IGNORECASE),
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_web_templates_are_found():
    assert TEMPLATES / "base.html" in WEB_TEMPLATES


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_web_templates_have_nothing_the_csp_blocks(kind):
    pattern = FORBIDDEN[kind]
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in WEB_TEMPLATES
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert offenders == []
