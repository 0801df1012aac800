"""Real-world shaped replies (tests/data/inbound): exactly the text each one publishes."""

import email
import email.policy

import pytest

from blogapp.inbound.html_text import html_to_markdown
from blogapp.inbound.message import UnreadableMessage, read_message
from blogapp.inbound.quotes import new_text
from blogapp.inbound.receive import EX_DATAERR, EX_NOUSER, receive
from tests.inbound_helpers import PRIYA, corpus, make_scene

PUBLISHED = {
    "plain.eml": "Hi Sam,\n\nThe CSV export keeps every column since version 4.2. If a column\n"
    "is missing, clear the export template under Settings > Exports.",
    "html_only.eml": "Hi Sam,\n\nThe tax column is **back** in version 4.3. The\n"
    "[export guide](https://tallyworks.example/docs/exports) shows where to turn it on.\n\n"
    "- Open Settings\n- Choose Exports",
    # format=flowed: the soft line break is joined.
    "multipart_alternative.eml": 'Hi Sam, the tax column comes back when you pick the "Full" '
    "export template. We are making it the default next week.",
    "multipart_mixed_attachment.eml": "Sam, the attached guide shows the two settings to change.",
    "gmail.eml": 'Hi Sam,\n\nThanks for the detail. The tax column needs the "Full" template; '
    "I've\nswitched your account over.",
    "outlook_desktop.eml": "Hello Sam,\n\nOur accountant confirms the tax column is in every "
    "export from today. Sorry for the trouble.\n\nKind regards,\nPriya",
    "outlook_original_message.eml": "Sam, the fix is live: export again and the tax column "
    "is there.",
    "outlook_web.eml": "Hi Sam, we added the column back. Café receipts keep their VAT line too.",
    "apple_mail.eml": "Hi Sam — the export template was reset by the upgrade. I’ve restored yours.",
    "iphone.eml": "Yes, it’s fixed. Try again and tell me if the column is still missing.",
    "signature.eml": "Sam, here is the short version:\n\n1. Open Settings.\n2. Pick the *Full* "
    "template.",
    "latin1_qp.eml": "Bonjour Sam, voilà : l'export garde la colonne TVA désormais. Très bonne "
    "journée !",
    "base64.eml": "Thanks Sam — the new export is ready.\nYou'll find it under Reports → Exports.",
}


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    return make_scene(app, make_user, make_post, make_comment)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_each_reply_publishes_exactly_its_new_text(scene, name):
    result = receive(corpus(name, scene.address))
    assert result.status == 0 and result.accepted, result.note
    (reply,) = scene.replies()
    assert reply.body_source == PUBLISHED[name]
    assert reply.author_id == scene.employee.id
    assert scene.refusals() == []


@pytest.mark.parametrize(
    "name",
    [
        "multipart_alternative.eml",
        "gmail.eml",
        "outlook_desktop.eml",
        "apple_mail.eml",
        "multipart_mixed_attachment.eml",
    ],
)
def test_the_html_part_alone_gives_the_same_words(app, name):
    """Each client's HTML, without its plain part, loses the same history."""
    message = email.message_from_bytes(corpus(name), policy=email.policy.default)
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert " ".join(html_to_markdown(html.get_content()).split()) == " ".join(
        PUBLISHED[name].split()
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("bounce.eml", "a delivery report (multipart/report)"),
        ("auto_reply.eml", "automatic (Auto-Submitted: auto-replied)"),
    ],
)
def test_bounces_and_auto_replies_are_ignored_without_an_answer(scene, name, why):
    result = receive(corpus(name, scene.address))
    assert (result.status, result.accepted) == (0, False)
    assert result.note == f"ignored: {why}"
    assert scene.replies() == [] and scene.refusals() == []


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ("Return-Path: <>\n", "a bounce (empty Return-Path)"),
        ("X-Autoreply: yes\n", "automatic (X-Autoreply)"),
        ("Precedence: auto_reply\n", "automatic (Precedence: auto_reply)"),
        ("X-Auto-Response-Suppress: OOF\n", "automatic (X-Auto-Response-Suppress: oof)"),
        (
            "Auto-Submitted: auto-generated; owner-email=x@y\n",
            "automatic (Auto-Submitted: auto-generated; owner-email=x@y)",
        ),
    ],
)
def test_automatic_mail_is_recognised_by_its_headers(app, headers, why):
    raw = f"From: {PRIYA}\nTo: x@example.com\nSubject: Re: hi\n{headers}\nOK\n".encode()
    assert read_message(raw).automatic == why


def test_auto_submitted_no_and_automatic_subjects(app):
    person = f"From: {PRIYA}\nTo: x@example.com\nAuto-Submitted: no\nSubject: Re: hi\n\nOK\n"
    assert read_message(person.encode()).automatic is None
    away = f"From: {PRIYA}\nTo: x@example.com\nSubject: Automatic reply: hi\n\nAway\n"
    assert read_message(away.encode()).automatic == "automatic (its subject)"


def test_a_message_over_the_limits_is_refused_unread(scene):
    raw = corpus("plain.eml", scene.address)
    scene_app = pytest.importorskip("flask").current_app
    scene_app.config["INBOUND_MAX_BYTES"] = len(raw) - 1
    assert receive(raw).status == EX_DATAERR
    scene_app.config["INBOUND_MAX_BYTES"] = 10_000_000
    scene_app.config["INBOUND_MAX_PARTS"] = 3
    result = receive(corpus("multipart_mixed_attachment.eml", scene.address))
    assert (result.status, result.note) == (EX_DATAERR, "The message has more than 3 parts.")
    assert scene.replies() == []


@pytest.mark.parametrize("raw", [b"", b"   \n", b"no headers at all"])
def test_what_is_not_a_message_is_a_data_error(app, raw):
    with pytest.raises(UnreadableMessage):
        read_message(raw)
    assert receive(raw).status == EX_DATAERR


def test_a_message_to_no_reply_address_of_ours_is_unknown(scene):
    raw = corpus("plain.eml", scene.address).replace(b"reply+", b"someone+")
    assert receive(raw).status == EX_NOUSER
    forged = scene.address.replace("reply+", "reply+x")
    assert receive(corpus("plain.eml", forged)).status == EX_NOUSER


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Yes.\n\nOn Tue, 4 Feb 2025 at 09:00, Jane Doe <\njane@example.com> wrote:\n> q", "Yes."),
        ("Oui.\n\nLe mar. 4 févr. 2025 à 09:00, Jane <j@x.fr> a écrit :\n> q", "Oui."),
        ("Ja.\n\nAm 04.02.2025 um 09:00 schrieb Jane Doe <j@x.de>:\n> q", "Ja."),
        ("Sí.\n\nEl mar, 4 feb 2025 a las 9:00, Jane (<j@x.es>) escribió:\n> q", "Sí."),
        ("Done.\n\n________________________________\nFrom: Jane\nSent: Tuesday\nTo: me", "Done."),
        ("Done.\n\nVon: Jane\nGesendet: Dienstag\nAn: mich\nBetreff: x", "Done."),
        ("Top.\n> quoted\nMine between.\n> more", "Top.\nMine between."),
        ("Short.\n\nGet Outlook for iOS", "Short."),
        ("Kurz.\n\nVon meinem iPhone gesendet", "Kurz."),
        ("From: the docs, step 2 is enough.", "From: the docs, step 2 is enough."),
        ("On Tuesday we ship it.", "On Tuesday we ship it."),
    ],
)
def test_quoted_history_in_its_common_shapes(text, kept):
    assert new_text(text) == kept
