"""The settings an admin may change in the browser: what each is called, which section of
/admin/settings it sits in, and how the text typed for it becomes its value.

Each setting keeps its config.py name, so the environment's value is its default and the
code reads it by that name (``site_settings()[name]``). ``parse`` turns what the form
sent into the value, or raises ``Invalid`` with a message that names the mistake; the
page then shows that message beside the text as typed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blogapp.responses.sla import DAY_NAMES, BadBusinessHours, Clock
from blogapp.urls import SiteURLError, site_origin

MAX_TEXT = 200
MAX_WORDS = 300
MAX_WORD_LENGTH = 80
MAX_HOLIDAYS = 400
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Invalid(ValueError):
    """What was typed for a setting cannot be its value; the message says why."""


@dataclass(frozen=True)
class Setting:
    """One setting of the page: config name, label, section, kind of input, and parser."""

    name: str
    label: str
    section: str
    kind: str  # text, url, zone, number, toggle, days, lines, time, choice
    hint: str
    parse: Callable[[Any], Any]
    choices: tuple[tuple[str, str], ...] = field(default=())

    def as_text(self, value: Any) -> Any:
        """The value as the form shows it: text ``parse`` reads back to the same value (a
        toggle's bool and the days' list as they are)."""
        if self.kind == "lines":
            return "\n".join(value if isinstance(value, tuple | list) else value.split(","))
        if self.kind == "days":
            return [day for day in (value or "").split(",") if day]
        if self.kind == "toggle":
            return bool(value)
        return "" if value is None else str(value)

    def loaded(self, stored: Any) -> Any:
        """A value read back from JSON, in the type config.py gives it (a list: a tuple)."""
        return tuple(stored) if isinstance(stored, list) else stored


def _text(label: str, *, required: bool, longest: int = MAX_TEXT) -> Callable[[str], str]:
    def parse(typed: str) -> str:
        text = " ".join((typed or "").split())
        if required and not text:
            raise Invalid(f"{label} cannot be empty.")
        if len(text) > longest:
            raise Invalid(f"{label} may be at most {longest} characters (this is {len(text)}).")
        return text

    return parse


def _number(label: str, low: int, high: int, unit: str) -> Callable[[str], int]:
    def parse(typed: str) -> int:
        text = (typed or "").strip()
        try:
            value = int(text)
        except ValueError:
            raise Invalid(f"{label}: {text[:20]!r} is not a whole number.") from None
        if not low <= value <= high:
            raise Invalid(f"{label} must be between {low} and {high} {unit}.")
        return value

    return parse


def _toggle(typed: str | bool) -> bool:
    if isinstance(typed, bool):
        return typed
    return (typed or "").strip().lower() in ("1", "on", "true", "yes", "y")


def _zone(label: str, *, required: bool) -> Callable[[str], str]:
    def parse(typed: str) -> str:
        text = (typed or "").strip()
        if not text and not required:
            return ""
        try:
            if len(text) > 64:
                raise ValueError
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(
                f"{label}: {text[:64]!r} is not a time zone; use an IANA name like "
                "Europe/Berlin, America/New_York or UTC."
            ) from None
        return text

    return parse


def parse_site_url(typed: str) -> str:
    text = (typed or "").strip().rstrip("/")
    if not text:
        return ""
    try:
        scheme, host = site_origin(text)
    except SiteURLError:
        raise Invalid(
            "Canonical address: give the site's address with no path, "
            "like https://blog.example.com."
        ) from None
    return f"{scheme}://{host}"


def parse_days(typed: list[str] | str) -> str:
    """Days picked as checkboxes (a list) or typed as "mon,tue"; stored as config.py's text."""
    words = typed if isinstance(typed, list) else (typed or "").split(",")
    picked = set()
    for word in (w.strip().lower()[:3] for w in words if w.strip()):
        if word not in DAY_NAMES:
            raise Invalid(f"Business days: {word!r} is not a day (mon … sun).")
        picked.add(word)
    return ",".join(day for day in DAY_NAMES if day in picked)


def parse_hours(typed: str) -> str:
    text = (typed or "").strip()
    try:
        clock = Clock.from_config({"SLA_HOURS": 1, "BUSINESS_HOURS": text or "-"})
    except BadBusinessHours:
        if "-" in text and all(part.strip() for part in text.split("-", 1)):
            raise Invalid(
                "Business hours: closing must come after opening, both between 00:00 and 23:59 "
                "(like 09:00-17:00)."
            ) from None
        raise Invalid(f"Business hours: {text[:40]!r} is not like 09:00-17:00.") from None
    return f"{clock.opens:%H:%M}-{clock.closes:%H:%M}"


def parse_holidays(typed: str) -> str:
    """Dates one a line or comma-separated; stored as config.py's comma-separated text."""
    words = [w.strip() for w in (typed or "").replace(",", "\n").splitlines() if w.strip()]
    if len(words) > MAX_HOLIDAYS:
        raise Invalid(f"Holidays: at most {MAX_HOLIDAYS} dates.")
    dates = []
    for word in words:
        try:
            dates.append(date.fromisoformat(word))
        except ValueError:
            raise Invalid(f"Holidays: {word[:40]!r} is not a date like 2026-12-25.") from None
    return ",".join(day.isoformat() for day in sorted(set(dates)))


def parse_blocked_words(typed: str) -> tuple[str, ...]:
    """Words or phrases one a line (commas also split), lower-cased as config.py does."""
    words = [" ".join(w.split()).lower() for w in (typed or "").replace(",", "\n").splitlines()]
    words = list(dict.fromkeys(w for w in words if w))
    if len(words) > MAX_WORDS:
        raise Invalid(f"Blocked words: at most {MAX_WORDS} words or phrases.")
    for word in words:
        if len(word) > MAX_WORD_LENGTH:
            raise Invalid(f"Blocked words: {word[:30]!r}… is over {MAX_WORD_LENGTH} characters.")
    return tuple(words)


def parse_digest_time(typed: str) -> str:
    text = (typed or "").strip()
    if not text:
        return ""
    try:
        at = time.fromisoformat(text)
    except ValueError:
        raise Invalid(f"Digest time: {text[:20]!r} is not a time like 08:00.") from None
    return f"{at:%H:%M}"


def _choice(label: str, choices: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    def parse(typed: str) -> str:
        if typed not in {value for value, _ in choices}:
            raise Invalid(f"{label}: choose one of the options.")
        return typed

    return parse


SECTIONS = ("Site", "Response times", "Comments", "Daily digest")
_UNVERIFIED = (("publish", "publish at once"), ("hold", "wait for a moderator"))

SETTINGS: tuple[Setting, ...] = (
    Setting("SITE_NAME", "Site name", "Site", "text", "At the top of every page and in mail.",
            _text("Site name", required=True, longest=80)),
    Setting("SITE_TAGLINE", "Tagline", "Site", "text", "Under the site name on every page.",
            _text("Tagline", required=False)),
    Setting("SITE_TIMEZONE", "Time zone", "Site", "zone",
            "Dates on the site are shown in this zone; an IANA name like Europe/Berlin.",
            _zone("Time zone", required=True)),
    Setting("SITE_URL", "Canonical address", "Site", "url",
            "Links in mail, feeds and the sitemap are built on it, like https://blog.example.com.",
            parse_site_url),
    Setting("SLA_HOURS", "Answer within (hours)", "Response times", "number",
            "How soon a customer's comment is owed an answer.",
            _number("Answer within", 1, 24 * 30, "hours")),
    Setting("BUSINESS_DAYS", "Business days", "Response times", "days",
            "With no day picked every hour counts; otherwise only business hours do.",
            parse_days),
    Setting("BUSINESS_HOURS", "Business hours", "Response times", "text",
            "Opening and closing, like 09:00-17:00.", parse_hours),
    Setting("BUSINESS_TIMEZONE", "Business time zone", "Response times", "zone",
            "Empty: the site's time zone.", _zone("Business time zone", required=False)),
    Setting("BUSINESS_HOLIDAYS", "Holidays", "Response times", "lines",
            "Dates the clock does not run, one a line, like 2026-12-25.", parse_holidays),
    Setting("COMMENTS_ALLOW_GUESTS", "Guests may comment", "Comments", "toggle",
            "With a name and an email address (never shown); off: readers must sign in.",
            _toggle),
    Setting("COMMENTS_HOLD_FIRST_GUESTS", "Hold a guest's first comment", "Comments", "toggle",
            "It waits for a moderator; later ones from the same address publish.", _toggle),
    Setting("UNVERIFIED_COMMENTS", "Comments of unverified readers", "Comments", "choice",
            "Readers who have not opened their verification mail yet.",
            _choice("Comments of unverified readers", _UNVERIFIED), _UNVERIFIED),
    Setting("COMMENTS_CLOSE_AFTER_DAYS", "Close comments after (days)", "Comments", "number",
            "Counted from publishing, once the post owes no answers; 0: never.",
            _number("Close comments after", 0, 3650, "days")),
    Setting("COMMENT_EDIT_MINUTES", "Edit window (minutes)", "Comments", "number",
            "How long an author may edit their comment; 0: no editing.",
            _number("Edit window", 0, 7 * 24 * 60, "minutes")),
    Setting("COMMENT_MAX_LINKS", "Links allowed", "Comments", "number",
            "Links one comment may hold.", _number("Links allowed", 0, 100, "links")),
    Setting("COMMENT_BLOCKED_WORDS", "Blocked words", "Comments", "lines",
            "Words or phrases a comment may not contain, one a line.", parse_blocked_words),
    Setting("COMMENT_MIN_FILL_SECONDS", "Minimum fill time (seconds)", "Comments", "number",
            "A comment sent sooner after the form was first used is taken for a robot's.",
            _number("Minimum fill time", 0, 600, "seconds")),
    Setting("DIGEST_TIME", "Digest time", "Daily digest", "time",
            "The worker mails each employee their owed items at this time, in the site's "
            "time zone; empty: no digest.", parse_digest_time),
    # "Did this answer your question?" (responses/helped.py, responses/satisfaction.py)
    Setting("HELPED_FIGURE_SHOWN", "Show how often answers helped", "Response times",
            "toggle", "Post pages say “94 % of answered readers said it helped”.", _toggle),
    Setting("HELPED_FIGURE_MINIMUM", "… once readers have answered (at least)",
            "Response times", "number", "Below this many Yes/No answers nothing is shown.",
            _number("Readers who answered", 1, 1_000_000, "answers")),
)  # fmt: skip

BY_NAME = {setting.name: setting for setting in SETTINGS}
