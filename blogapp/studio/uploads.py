"""Uploaded images: checked by decoding them, stored under generated names, served safely."""

import io
import re
import secrets
import warnings
from pathlib import Path

from flask import Response, current_app, send_from_directory
from PIL import Image, UnidentifiedImageError
from werkzeug.utils import secure_filename

from blogapp.extensions import db
from blogapp.models import Upload, User

# Decoded format -> (file extension, Content-Type). Nothing else is accepted.
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
ONE_YEAR = 365 * 24 * 3600


class UploadError(ValueError):
    """A file that is not an image we accept; the message says why."""


def uploads_dir() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _read_limited(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"That file is larger than {limit // (1024 * 1024)} MB.")
    if not data:
        raise UploadError("That file is empty.")
    return data


def _decode(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of a fully decoded image; UploadError for anything else."""
    max_pixels = current_app.config["UPLOAD_MAX_PIXELS"]
    refused = UploadError("That file is not a PNG, JPEG, GIF or WebP image we can read.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise UploadError("That image has too many pixels; please make it smaller.")
                image.load()
                return image.format, width, height
    except UploadError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise UploadError("That image has too many pixels; please make it smaller.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise refused from None


def store_image(stream, filename: str, uploader: User) -> Upload:
    """Check an uploaded file by decoding it, store it under a new name, and commit."""
    data = _read_limited(stream, current_app.config["UPLOAD_MAX_BYTES"])
    image_format, width, height = _decode(data)
    extension, _ = FORMATS[image_format]
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    original = secure_filename(filename or "")[:120].rsplit(".", 1)[0] or "image"
    directory = uploads_dir()
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{stored_name}.part"
    partial.write_bytes(data)
    partial.replace(directory / stored_name)
    upload = Upload(
        stored_name=stored_name,
        original_name=original,
        image_format=image_format,
        width=width,
        height=height,
        byte_size=len(data),
        uploaded_by=uploader,
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def alt_text(upload: Upload) -> str:
    """A first guess at the image's description, from its file name."""
    return re.sub(r"[-_]+", " ", upload.original_name).strip() or "image"


def find_upload(name: str) -> Upload | None:
    if not STORED_NAME.match(name):
        return None
    return db.session.scalar(db.select(Upload).where(Upload.stored_name == name))


def upload_response(upload: Upload) -> Response:
    """The image, with a Content-Type from its decoded format and nothing for a browser to guess."""
    extension, mimetype = FORMATS[upload.image_format]
    response = send_from_directory(
        uploads_dir(), upload.stored_name, mimetype=mimetype, max_age=ONE_YEAR, conditional=True
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = (
        f'inline; filename="{upload.original_name}.{extension}"'
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
