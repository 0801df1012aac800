"""Employees edit their public profile; it shows on their posts and author page."""

import io
import re

import pytest
from PIL import Image

from blogapp.extensions import db
from blogapp.models import Role
from tests.conftest import csrf_from


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def staff(client, auth, make_user):
    user = make_user(Role.STAFF, name="Tom Becker", job_title="Engineer")
    auth.login(user.email)
    return user


def save_profile(client, **fields):
    token = csrf_from(client.get("/studio/profile/").text)
    data = {"csrf_token": token, "display_name": "", "job_title": "", "bio": "", **fields}
    return client.post("/studio/profile/", data=data, content_type="multipart/form-data")


def test_profile_changes_show_on_posts_and_the_author_page(client, staff, make_post):
    post = make_post(author=staff, title="Hello")
    response = save_profile(
        client,
        display_name="Tom  Becker-Lee",
        job_title="Head of Billing",
        bio="Keeps invoices honest.",
        photo=(io.BytesIO(png()), "me.png"),
    )
    assert response.status_code == 302
    db.session.refresh(staff)
    assert (staff.display_name, staff.job_title, staff.bio) == (
        "Tom Becker-Lee",
        "Head of Billing",
        "Keeps invoices honest.",
    )
    photo_url = f"/uploads/{staff.avatar}"
    assert re.fullmatch(r"/uploads/[0-9a-f]{32}\.png", photo_url)
    page = client.get(f"/posts/{post.slug}").text
    assert "Tom Becker-Lee" in page and "Head of Billing" in page and photo_url in page
    author_page = client.get(f"/authors/{staff.slug}").text
    assert "Keeps invoices honest." in author_page and photo_url in author_page
    with client.get(photo_url) as photo:
        assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"


def test_photo_can_be_removed(client, staff):
    save_profile(client, display_name="Tom", photo=(io.BytesIO(png()), "me.png"))
    db.session.refresh(staff)
    assert staff.avatar
    save_profile(client, display_name="Tom", remove_photo="y")
    db.session.refresh(staff)
    assert staff.avatar is None


def test_bad_input_is_explained_and_kept(client, staff):
    response = save_profile(
        client,
        display_name="T",
        job_title="Head of Billing",
        photo=(io.BytesIO(b"<html>not an image</html>"), "me.png"),
    )
    assert response.status_code == 400
    assert "Field must be between 2 and 80 characters long." in response.text
    assert 'value="Head of Billing"' in response.text
    response = save_profile(
        client, display_name="Tom Becker", photo=(io.BytesIO(b"<html>no</html>"), "me.png")
    )
    assert response.status_code == 400 and "not a PNG, JPEG, GIF or WebP" in response.text
    db.session.refresh(staff)
    assert (staff.display_name, staff.avatar) == ("Tom Becker", None)


def test_profile_form_starts_with_the_current_values(client, staff):
    page = client.get("/studio/profile/").text
    assert 'value="Tom Becker"' in page and 'value="Engineer"' in page
