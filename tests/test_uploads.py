"""Uploads are judged by their bytes, not their names, and stored outside the static folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from roadshow.uploads import UploadError, delete_stored, is_pdf, sniff_image, store_deck, store_logo

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def test_sniff_image_knows_png_jpeg_webp_only():
    assert sniff_image(PNG) == ("image/png", "png")
    assert sniff_image(JPEG) == ("image/jpeg", "jpg")
    assert sniff_image(WEBP) == ("image/webp", "webp")
    assert sniff_image(SVG) is None
    assert sniff_image(PDF) is None
    assert sniff_image(b"GIF89a") is None


def test_is_pdf():
    assert is_pdf(PDF)
    assert not is_pdf(PNG)
    assert not is_pdf(b"<html></html>")


def test_store_logo_keeps_bytes_under_random_name(app):
    with app.test_request_context():
        stored = store_logo(io.BytesIO(PNG))
        path = Path(app.config["UPLOAD_FOLDER"]) / stored.relative_path
        assert path.read_bytes() == PNG
        assert stored.content_type == "image/png"
        assert stored.relative_path.startswith("logos/") and stored.relative_path.endswith(".png")
        assert Path(app.static_folder) not in path.resolve().parents
        delete_stored(stored.relative_path)
        assert not path.exists()


@pytest.mark.parametrize("payload", [SVG, PDF, b"just text"])
def test_store_logo_refuses_non_images(app, payload):
    with app.test_request_context(), pytest.raises(UploadError, match="PNG, JPEG or WebP"):
        store_logo(io.BytesIO(payload))


def test_store_logo_refuses_oversized(app):
    with app.test_request_context(), pytest.raises(UploadError, match="larger than 2 MB"):
        store_logo(io.BytesIO(PNG + b"\x00" * (2 * 1024 * 1024)))


def test_store_deck_accepts_pdf_and_refuses_a_renamed_image(app):
    with app.test_request_context():
        assert store_deck(io.BytesIO(PDF)).content_type == "application/pdf"
        with pytest.raises(UploadError, match="must be a PDF"):
            store_deck(io.BytesIO(PNG))
        with pytest.raises(UploadError, match="empty"):
            store_deck(io.BytesIO(b""))


def test_delete_stored_never_leaves_the_upload_folder(app, tmp_path):
    outside = tmp_path / "keep.txt"
    outside.write_text("precious")
    with app.test_request_context():
        delete_stored(str(outside))
        delete_stored("../../" + outside.name)
    assert outside.read_text() == "precious"
