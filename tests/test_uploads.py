"""Images: checked by decoding, stored under generated names, served with safe headers."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blogapp.extensions import db
from blogapp.models import Role, Upload
from tests.conftest import csrf_from


def image_bytes(fmt: str, size=(40, 30), color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def staff(client, auth, make_user):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    return user


def upload(client, data: bytes, filename: str, as_json=True):
    token = csrf_from(client.get("/studio/uploads/").text)
    return client.post(
        "/studio/uploads/",
        data={"csrf_token": token, "image": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"} if as_json else {},
    )


@pytest.mark.parametrize(
    "fmt,mimetype,extension",
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_each_accepted_format_is_stored_and_served_with_safe_headers(
    app, client, staff, fmt, mimetype, extension
):
    data = image_bytes(fmt)
    # The name lies about the type; the decoded content decides.
    response = upload(client, data, "Team Photo <script>.txt")
    assert response.status_code == 201
    result = response.json
    assert re.fullmatch(rf"/uploads/[0-9a-f]{{32}}\.{extension}", result["url"])
    assert result["markdown"] == f"![Team Photo script]({result['url']})"
    stored = db.session.scalars(sa.select(Upload)).one()
    assert (stored.image_format, stored.width, stored.height) == (fmt, 40, 30)
    assert stored.uploaded_by_id == staff.id and stored.byte_size == len(data)
    on_disk = Path(app.instance_path) / "uploads" / stored.stored_name
    assert on_disk.read_bytes() == data

    with client.get(result["url"]) as served:  # streamed from disk: close the file after
        assert served.status_code == 200 and served.get_data() == data
    assert served.headers["Content-Type"] == mimetype
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        served.headers["Content-Disposition"] == f'inline; filename="Team_Photo_script.{extension}"'
    )
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "sandbox" in served.headers["Content-Security-Policy"]


REFUSED = [
    ("html-named-png", b"<html><script>alert(1)</script></html>", "evil.png", "not a PNG, JPEG"),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "a.svg", "not a PNG"),
    ("bmp", None, "picture.png", "not a PNG, JPEG"),
    ("truncated-png", "truncated", "cut.png", "not a PNG, JPEG"),
    ("empty", b"", "empty.png", "empty"),
]


@pytest.mark.parametrize("name,data,filename,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_anything_else_is_refused_whatever_its_name(
    app, client, staff, name, data, filename, message
):
    if data is None:
        data = image_bytes("BMP")
    elif data == "truncated":
        data = image_bytes("PNG", size=(300, 300))[:200]
    response = upload(client, data, filename)
    assert response.status_code == 400 and message in response.json["error"]
    assert db.session.scalars(sa.select(Upload)).all() == []
    folder = Path(app.instance_path) / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_size_and_pixel_limits_come_from_config(app, client, staff):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    response = upload(client, image_bytes("PNG") + b"x" * 1000, "big.png")
    assert response.status_code == 400 and "larger than" in response.json["error"]
    app.config["UPLOAD_MAX_BYTES"] = 5 * 1024 * 1024
    app.config["UPLOAD_MAX_PIXELS"] = 100
    response = upload(client, image_bytes("PNG", size=(20, 20)), "many-pixels.png")
    assert response.status_code == 400 and "too many pixels" in response.json["error"]


def test_upload_page_works_without_javascript(client, staff):
    response = upload(client, image_bytes("PNG"), "chart.png", as_json=False)
    assert response.status_code == 201
    assert "Paste this into your post" in response.text
    assert re.search(r'value="!\[chart\]\(/uploads/[0-9a-f]{32}\.png\)"', response.text)
    response = upload(client, b"nope", "x.png", as_json=False)
    assert response.status_code == 400 and "not a PNG, JPEG, GIF or WebP" in response.text
    page = client.get("/studio/uploads/").text
    assert page.count("/uploads/") >= 1 and "Your recent images" in page


def test_missing_token_or_file_is_a_clear_error(client, staff):
    response = client.post(
        "/studio/uploads/",
        data={"image": (io.BytesIO(image_bytes("PNG")), "a.png")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and "security token" in response.json["error"]
    token = csrf_from(client.get("/studio/uploads/").text)
    response = client.post(
        "/studio/uploads/", data={"csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400 and "Choose an image" in response.json["error"]


def test_unknown_or_malformed_upload_names_are_404(client):
    assert client.get("/uploads/" + "a" * 32 + ".png").status_code == 404
    assert client.get("/uploads/..%2Fparley.db").status_code == 404
    assert client.get("/uploads/notes.html").status_code == 404
