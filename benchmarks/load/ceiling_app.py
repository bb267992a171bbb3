"""The ceiling: the least a Flask app can do per request, served with Roadshow's gunicorn settings.

    CEILING_BODIES=/path/to/copies gunicorn -c gunicorn.conf.py benchmarks.load.ceiling_app:app

``/body/<name>`` answers the bytes of the file *name* in ``CEILING_BODIES`` (read once, at start: a
copy of the page or feed it is compared with, so the ceiling moves the same number of bytes);
``/not-modified`` answers a bare 304. Roadshow's figures are read against these: what is left is
the cost of Roadshow's own work.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, abort

app = Flask(__name__)
_FOLDER = os.environ.get("CEILING_BODIES")
BODIES = {path.name: path.read_bytes() for path in Path(_FOLDER).iterdir()} if _FOLDER else {}
TYPES = {".ics": "text/calendar; charset=utf-8", ".html": "text/html; charset=utf-8"}


@app.get("/body/<name>")
def constant(name: str) -> Response:
    """A constant body: the copy called *name*."""
    if name not in BODIES:
        abort(404)
    return Response(BODIES[name], content_type=TYPES.get(Path(name).suffix, "application/octet-stream"))


@app.get("/not-modified")
def not_modified() -> Response:
    """A bare 304."""
    return Response(status=304, headers={"ETag": '"ceiling"'})
