"""Content lines of RFC 5545: cleaning, TEXT escaping, parameter quoting, URIs, folding at 75 octets.

Everything user-written passes through :func:`clean_text` first, so that NUL, BEL, ESC and the other
control characters (C0 but TAB and line breaks, DEL, C1) and lone surrogates never reach a calendar
client; line breaks become ``\\n`` in TEXT values and never end a content line early.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

MAX_LINE_OCTETS = 75
CRLF = "\r\n"

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
# C0 controls but TAB and LF, DEL, C1 controls (NEL was made a line break above), lone surrogates,
# and the byte-order mark / non-characters U+FFFE, U+FFFF.
_REMOVED = dict.fromkeys(
    [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0xD800, 0xE000),
        0xFEFF,
        0xFFFE,
        0xFFFF,
    ]
)
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})
_URI_SCHEMES = frozenset({"http", "https", "mailto"})
# Characters left as they are in a URI; everything else is percent-encoded (existing %xx stay).
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def clean_text(value: str | None) -> str:
    """*value* with line breaks normalised to LF and control characters removed (TAB kept)."""
    if not value:
        return ""
    if value.isascii() and value.isprintable():
        return value
    return _LINE_BREAKS.sub("\n", value).translate(_REMOVED)


def escape_text(value: str | None) -> str:
    """A TEXT value (RFC 5545 §3.3.11): cleaned, then ``\\``, ``;``, ``,`` and newlines escaped."""
    return clean_text(value).translate(_TEXT_ESCAPES)


def escape_list(values: tuple[str, ...] | list[str]) -> str:
    """A multi-valued TEXT property (e.g. CATEGORIES): each value escaped, joined by commas."""
    return ",".join(escape_text(value) for value in values if clean_text(value).strip())


def param_value(value: str | None) -> str:
    """A parameter value (e.g. ``CN``), always quoted: one line, no DQUOTE, no control characters."""
    text = clean_text(value).replace("\n", " ").replace("\t", " ").replace('"', "'")
    return f'"{text}"'


def clean_uri(value: str | None, schemes: frozenset[str] = _URI_SCHEMES) -> str | None:
    """*value* as a safe URI value, or None when it is empty or of a scheme we do not publish.

    Whitespace and control characters are removed and anything outside the URI character set
    (non-ASCII, quotes, angle brackets) percent-encoded, so a link can never break a content line.
    """
    if not value:
        return None
    text = "".join(clean_text(value).split())
    if not text:
        return None
    scheme = urlsplit(text).scheme.lower() if ":" in text else ""
    if scheme not in schemes:
        return None
    return quote(text, safe=_URI_SAFE)


def mailto(address: str) -> str:
    """A CAL-ADDRESS for an e-mail address (``mailto:…``), cleaned and percent-encoded."""
    text = "".join(clean_text(address).split())
    return "mailto:" + quote(text, safe="@!$&'()*+,;=%~-._")


def _octets(char: str) -> int:
    code = ord(char)
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    if code < 0x10000:
        return 3
    return 4


def fold(line: str) -> str:
    """*line* folded (RFC 5545 §3.1): no physical line over 75 octets, never splitting a character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    if len(line) <= MAX_LINE_OCTETS and line.isascii():
        return line
    if len(line.encode("utf-8")) <= MAX_LINE_OCTETS:
        return line
    pieces: list[str] = []
    start = 0
    size = 0
    for index, char in enumerate(line):
        width = _octets(char)
        if size + width > MAX_LINE_OCTETS:
            pieces.append(line[start:index])
            start = index
            size = 1  # the leading space of the continuation line
        size += width
    pieces.append(line[start:])
    return (CRLF + " ").join(pieces)


def content_line(name: str, value: str, params: str = "") -> str:
    """One folded content line ``NAME;PARAMS:value`` (*value* already escaped or formatted)."""
    return fold(f"{name}{params}:{value}")
