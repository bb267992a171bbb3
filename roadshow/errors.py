"""Error pages: every HTTP error in the site's layout, JSON for JSON clients, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
MESSAGES = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    403: _l("You do not have permission to do that."),
    404: _l("There is nothing here. The link may be wrong, or the page may have been removed."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this at the same time. Please reload and try again."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("An unexpected error happened. It has been logged; please try again later."),
}


def wants_json() -> bool:
    """True when the client asked for JSON (API paths, or an Accept header preferring JSON)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(code: int, message: str | None = None):
    """Render the error page (or JSON) for status *code* with an optional specific message."""
    title = str(TITLES.get(code, TITLES[500]))
    text = message or str(MESSAGES.get(code, MESSAGES[500]))
    if wants_json():
        return jsonify(error=title, message=text, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def refuse_nul_bytes() -> None:
    """Refuse any request whose path, query, form fields or file names hold a NUL byte (400, not 500).

    No legitimate text contains NUL, and databases refuse it (PostgreSQL raises on it in text).
    """
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.mimetype in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)
        for key, upload in request.files.items(multi=True):
            if "\x00" in key or "\x00" in (upload.filename or ""):
                abort(400)


def register(app: Flask) -> None:
    """Install the handlers on *app*."""
    app.before_request(refuse_nul_bytes)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400,
            str(
                _l(
                    "The form had expired or lacked its security token. "
                    "Please go back, reload it and try again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            return error_response(429)
        response = error_response(code)
        if code == 405 and error.valid_methods:
            return response[0], code, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        from roadshow.extensions import db

        db.session.rollback()
        return error_response(InternalServerError.code)
