"""People's names as they enter: cleaned, and never passing for an employee's.

A name is shown beside words a reader will trust ("Answered by Maya Okafor") and
goes into mail headers, so every name that enters (signup, profile, the guest
form, the demo and import) is ``clean_name``'d, and a name whose skeleton matches
an employee's is refused (``imitates_employee``).

The skeleton follows Unicode TR39's idea — two strings that look alike map to the
same string — with a compact table of the Latin look-alikes people actually use
(Cyrillic, Greek, digits, a few letter pairs) rather than the full confusables.txt,
which no pinned, maintained Python package ships as a skeleton function. It goes
further than TR39 where a name needs it: case, accents, spacing, punctuation and
the order of words are dropped, and so are the company's own name and words like
"team" that make a name look official ("Maya Okafor (Tallyworks)").
"""

import re
import unicodedata

import sqlalchemy as sa
from flask import current_app
from wtforms.validators import ValidationError

from blogapp.sitesettings.store import site_settings

IMITATION_MESSAGE = (
    "This name is too close to a {company} employee's; please choose another "
    "(your own name with an initial or a middle name will do)."
)

# Invisible characters NFKC keeps and category Cf doesn't cover: Hangul fillers,
# the combining grapheme joiner, variation selectors, the braille blank.
_INVISIBLE = re.compile("[\u115f\u1160\u3164\uffa0\u034f\ufe00-\ufe0f\u2800\U000e0100-\U000e01ef]")
_ENCODED_WORD_START = "=?"  # RFC 2047: "=?charset?q?text?=" decodes in a mail header

# Look-alikes of Latin letters, to the lowercase letter they pass for (after casefold).
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h",
        "о": "o", "п": "n", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ѵ": "v",
        "ɡ": "g", "ꙅ": "s",
        # Greek
        "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "ζ": "z", "η": "n", "ι": "i",
        "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "c", "τ": "t",
        "υ": "u", "χ": "x", "ω": "w",
        # Latin letters and digits that pass for others
        "0": "o", "1": "l", "i": "l", "ı": "l",
        "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss", "æ": "ae", "œ": "oe",
    }
)  # fmt: skip
# Pairs of letters that read as one at a glance, in TR39's direction (m -> rn).
_LETTER_PAIRS = (("m", "rn"), ("w", "vv"), ("d", "cl"))
# Words that make a name look official; SITE_NAME's words are added to them.
_OFFICIAL_WORDS = {"team", "staff", "official", "support", "employee", "admin", "hq", "inc", "ltd"}


def clean_name(text: str | None) -> str:
    """``text`` as a name can be shown and mailed: NFKC, no invisible or control
    characters or line breaks, single spaces, no RFC 2047 encoded-word syntax."""
    text = unicodedata.normalize("NFKC", text or "")
    kept = []
    for ch in _INVISIBLE.sub("", text):
        category = unicodedata.category(ch)
        if category in ("Zs", "Zl", "Zp") or ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
            kept.append(" ")
        elif category not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(ch)
    text = " ".join("".join(kept).split())
    while _ENCODED_WORD_START in text:
        text = text.replace(_ENCODED_WORD_START, "=")
    return text


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", plain).translate(_LOOKALIKES)


def _official_words() -> set[str]:
    site = site_settings().get("SITE_NAME", "") if current_app else ""
    words = {_letters(w) for w in _OFFICIAL_WORDS}
    words.update(w for w in re.split(r"\W+", _letters(site)) if w)
    words.discard("blog")  # "Tallyworks Blog": only the company's own name counts
    return words


def _words(text: str | None) -> list[str]:
    return [w for w in re.split(r"[\W_]+", _letters(clean_name(text))) if w]


def name_skeleton(text: str | None) -> str:
    """What ``text`` looks like as a name: equal skeletons read as the same person."""
    official = _official_words()
    # In any order: "Okafor Maya" is the same person to a reader.
    skeleton = "".join(sorted(w for w in _words(text) if w not in official))
    for single, pair in _LETTER_PAIRS:
        skeleton = skeleton.replace(pair, single)
    return skeleton


def imitates_employee(name: str | None, except_user=None) -> bool:
    """Whether ``name`` reads as some employee's display name (``except_user``'s own
    name is theirs to keep)."""
    from blogapp.extensions import db
    from blogapp.models import User

    skeleton = name_skeleton(name)
    if not skeleton:
        return bool(_words(name))  # nothing but "Tallyworks Team": the company itself
    query = sa.select(User.display_name).where(User.employee_clause())
    if except_user is not None and except_user.id is not None:
        query = query.where(User.id != except_user.id)
    return any(name_skeleton(other) == skeleton for other in db.session.scalars(query))


def imitation_message() -> str:
    """The field message for a name refused by ``imitates_employee``."""
    company = site_settings().get("SITE_NAME", "").removesuffix(" Blog") or "company"
    return IMITATION_MESSAGE.format(company=company)


class NotAnEmployeesName:
    """A form validator: refuse a name that imitates an employee's. The form's
    ``name_owner`` (the person editing their own name) may keep theirs."""

    def __call__(self, form, field) -> None:
        owner = getattr(form, "name_owner", None)
        if field.data and imitates_employee(field.data, except_user=owner):
            raise ValidationError(imitation_message())
