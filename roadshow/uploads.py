"""Uploaded files (logos, pitch decks): checked by content, stored outside the static folder.

Files are stored under ``UPLOAD_FOLDER`` with random names; the database keeps the relative path and
the sniffed content type. They are served only through routes that check permission, as
attachments (or inline images for logos) with ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, abort, current_app, send_file
from flask_babel import lazy_gettext as _l


class UploadError(ValueError):
    """An upload refused for a reason the user can act on (the message is shown in the form)."""


@dataclass(frozen=True)
class StoredFile:
    """Where an accepted upload was stored and what it really is."""

    relative_path: str
    content_type: str
    size: int


IMAGE_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    # (magic bytes, offset, content type, extension)
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
)


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for PNG, JPEG or WebP bytes; None for anything else (SVG included)."""
    for magic, offset, content_type, extension in IMAGE_SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def is_pdf(head: bytes) -> bool:
    """True when the bytes start like a PDF document (``%PDF-`` within the first 1 KiB)."""
    return b"%PDF-" in head[:1024]


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(str(_l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))))
    if not data:
        raise UploadError(str(_l("The file is empty.")))
    return data


def _store(data: bytes, area: str, extension: str) -> str:
    relative = f"{area}/{secrets.token_hex(16)}.{extension}"
    path = upload_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def upload_root() -> Path:
    """The folder uploads are kept in (created on demand)."""
    root = Path(current_app.config["UPLOAD_FOLDER"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def store_logo(stream: BinaryIO) -> StoredFile:
    """Check a logo (PNG, JPEG or WebP by content, at most MAX_LOGO_BYTES) and store it."""
    data = _read_limited(stream, current_app.config["MAX_LOGO_BYTES"])
    sniffed = sniff_image(data[:16])
    if sniffed is None:
        raise UploadError(str(_l("A logo must be a PNG, JPEG or WebP image.")))
    content_type, extension = sniffed
    return StoredFile(_store(data, "logos", extension), content_type, len(data))


def store_deck(stream: BinaryIO) -> StoredFile:
    """Check a pitch deck (a PDF by content, at most MAX_DECK_BYTES) and store it."""
    data = _read_limited(stream, current_app.config["MAX_DECK_BYTES"])
    if not is_pdf(data):
        raise UploadError(str(_l("A pitch deck must be a PDF file.")))
    return StoredFile(_store(data, "decks", "pdf"), "application/pdf", len(data))


def delete_stored(relative_path: str | None) -> None:
    """Remove a stored upload if it exists (after the row pointing at it changed)."""
    if not relative_path:
        return
    path = (upload_root() / relative_path).resolve()
    if upload_root().resolve() in path.parents and path.exists():
        path.unlink()


def send_stored(
    relative_path: str, content_type: str, *, download_name: str, as_attachment: bool = True
) -> Response:
    """Serve a stored upload with its sniffed type, ``nosniff`` and a restrictive CSP."""
    root = upload_root().resolve()
    path = (root / relative_path).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=content_type, as_attachment=as_attachment, download_name=download_name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
