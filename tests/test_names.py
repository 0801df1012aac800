"""Names that pass for an employee's are refused wherever a name enters; all are cleaned."""

import re
from pathlib import Path

import pytest

from blogapp.contentio.demo import load_users
from blogapp.contentio.services import ContentError
from blogapp.extensions import db
from blogapp.models import Comment, Role, User
from blogapp.names import clean_name, imitates_employee, name_skeleton
from tests.comment_helpers import comments_of, submit
from tests.conftest import csrf_from

DATA = Path(__file__).parent / "data"
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|(t)|(n)|(r))")
_NAMED = {"t": "\t", "n": "\n", "r": "\r"}


def _decode(line: str) -> str:
    def one(match: re.Match) -> str:
        hex_digits = match.group(1) or match.group(2) or match.group(3)
        if hex_digits:
            return chr(int(hex_digits, 16))
        return _NAMED[next(g for g in match.groups()[3:] if g)]

    return _ESCAPE.sub(one, line)


def names_in(filename: str) -> list[str]:
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return [_decode(line) for line in lines if line.strip() and not line.startswith("#")]


IMITATIONS = names_in("imitation_names.txt")
DISTINCT = names_in("distinct_names.txt")
MESSAGE = "too close to a Tallyworks employee&#39;s"


@pytest.fixture
def maya(make_user):
    return make_user(Role.STAFF, name="Maya Okafor", email="maya@example.com")


def test_the_data_files_hold_what_they_say():
    assert len(IMITATIONS) >= 40 and len(DISTINCT) >= 10
    assert "M\u0430ya Okafor" in IMITATIONS  # the escapes were decoded
    assert any("\x00" in n for n in IMITATIONS) and any("\u200b" in n for n in IMITATIONS)


@pytest.mark.parametrize("name", IMITATIONS, ids=ascii)
def test_each_imitation_reads_as_the_employee(maya, name):
    assert name_skeleton(name) == name_skeleton("Maya Okafor")
    assert imitates_employee(name)
    assert not imitates_employee(name, except_user=maya)  # her own name is hers to keep


@pytest.mark.parametrize("name", DISTINCT)
def test_other_people_keep_their_names(maya, name):
    assert not imitates_employee(name)


def test_a_reader_may_share_a_name_with_another_reader(make_user):
    make_user(Role.READER, name="Rita Reader")
    assert not imitates_employee("Rita Reader")


def test_the_company_name_alone_is_not_a_customer_name(app):
    assert imitates_employee("Tallyworks Team")
    assert imitates_employee("(Tallyworks)")
    assert not imitates_employee("")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Maya \t Okafor\r\n ", "Maya Okafor"),
        ("Ma\u200bya\u202e\x00 Ok\x85afor", "Maya Ok afor"),
        ("Evil\r\nBcc: x@evil.example", "Evil Bcc: x@evil.example"),
        ("=?utf-8?q?Evil=0D=0ABcc=3A_x=40evil=2Eexample?=", "=utf-8?q?Evil=0D=0ABcc=3A_x=40evil=2Eexample?="),  # noqa: E501
        ("==??x?=", "==x?="),
        ("\uff2d\uff41\uff59\uff41", "Maya"),
        ("Zoë O'Brien-Ng", "Zoë O'Brien-Ng"),
    ],
)  # fmt: skip
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean
    assert "=?" not in clean_name(raw)


def register(client, display_name: str):
    page = client.get("/account/register")
    return client.post(
        "/account/register",
        data={
            "csrf_token": csrf_from(page.text),
            "display_name": display_name,
            "email": "new@example.com",
            "password": "a long password",
            "confirm": "a long password",
        },
    )


@pytest.mark.parametrize(
    "name", ["M\u0430ya Okafor", "Maya\u200b Okafor", "Maya Okafor (Tallyworks)"]
)
def test_signup_refuses_an_imitation_and_keeps_the_text(client, maya, name):
    response = register(client, name)
    assert response.status_code == 400 and MESSAGE in response.text
    assert 'value="new@example.com"' in response.text
    assert db.session.scalar(db.select(User).where(User.email == "new@example.com")) is None


def test_signup_stores_a_clean_name(client, maya):
    assert register(client, "  Sam\u200b  \x00Baker ").status_code == 303
    user = db.session.scalar(db.select(User).where(User.email == "new@example.com"))
    assert user.display_name == "Sam Baker"


def save_profile(client, display_name: str):
    token = csrf_from(client.get("/studio/profile/").text)
    data = {"csrf_token": token, "display_name": display_name, "job_title": "", "bio": ""}
    return client.post("/studio/profile/", data=data, content_type="multipart/form-data")


def test_profile_edit_keeps_ones_own_name_and_refuses_a_colleagues(client, auth, maya, make_user):
    auth.login(maya.email)
    assert save_profile(client, "Maya  Okafor\u200b").status_code == 302
    db.session.refresh(maya)
    assert maya.display_name == "Maya Okafor"
    auth.logout()
    tom = make_user(Role.STAFF, name="Tom Becker")
    auth.login(tom.email)
    refused = save_profile(client, "Maya 0kafor")
    assert refused.status_code == 400 and MESSAGE in refused.text
    assert 'value="Maya 0kafor"' in refused.text
    db.session.refresh(tom)
    assert tom.display_name == "Tom Becker"


def test_guest_form_refuses_an_imitation_and_cleans_other_names(client, maya, make_post):
    post = make_post()
    refused = submit(client, post, "Hello!", guest=("Maya Okafor (Tallyworks)", "m@example.com"))
    assert refused.status_code == 400 and MESSAGE in refused.text
    assert "Hello!</textarea>" in refused.text
    assert comments_of(post) == []
    submit(client, post, "Hi there", guest=("Gail\u200b\r\nGuest", "gail@example.com"))
    (comment,) = comments_of(post)
    assert comment.guest_name == "Gail Guest"


def test_demo_import_cleans_names_and_refuses_an_imitating_customer(app, maya, tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text(
        '- {email: "ok@example.com", name: "Olu\\u200b  Reader\\r\\n", role: reader}\n',
        encoding="utf-8",
    )
    assert load_users(users) == ["ok@example.com"]
    names = db.session.scalars(db.select(User.display_name).where(User.email == "ok@example.com"))
    assert names.all() == ["Olu Reader"]
    users.write_text(
        '- {email: "fake@example.com", name: "M\\u0430ya Okafor", role: reader}\n', encoding="utf-8"
    )
    with pytest.raises(ContentError, match="too close to an employee's"):
        load_users(users)
    assert db.session.scalar(db.select(User).where(User.email == "fake@example.com")) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0
