"""The SLA clock: when an owed comment is due, in wall-clock or business hours."""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BadBusinessHours(ValueError):
    pass


def check_config(config) -> None:
    """The SLA clock and the digest time the settings describe, or ConfigError naming the
    setting (checked when the tracker is registered, not at the first request)."""
    try:
        Clock.from_config(config)
    except BadBusinessHours as error:
        raise ConfigError(f"{error}.") from None
    digest = (config.get("DIGEST_TIME") or "").strip()
    if digest:
        try:
            time.fromisoformat(digest)
        except ValueError:
            raise ConfigError(f"DIGEST_TIME={digest!r} is not a time like 08:00.") from None


@dataclass(frozen=True)
class Clock:
    """SLA hours, and the business week they count in (``days`` empty: every hour counts)."""

    hours: float
    days: frozenset[int] = frozenset()
    opens: time = time(9)
    closes: time = time(17)
    zone: ZoneInfo = ZoneInfo("UTC")
    holidays: frozenset[date] = frozenset()  # business days the clock does not run

    @classmethod
    def from_config(cls, config) -> "Clock":
        """The clock the site's settings describe."""
        days = frozenset(_parse_days(config.get("BUSINESS_DAYS", "")))
        opens, closes = _parse_hours(config.get("BUSINESS_HOURS") or "09:00-17:00")
        zone_name = config.get("BUSINESS_TIMEZONE") or config.get("SITE_TIMEZONE") or "UTC"
        holidays = frozenset(_parse_dates(config.get("BUSINESS_HOLIDAYS", "")))
        return cls(
            float(config["SLA_HOURS"]), days, opens, closes, ZoneInfo(zone_name), holidays
        )

    @property
    def business_hours(self) -> bool:
        return bool(self.days)

    def _open_on(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    # Remembered: the zone conversions were most of due_at's time, and the metrics work out
    # a due time for every comment of the period (equal clocks share entries).
    @functools.lru_cache(maxsize=8192)  # noqa: B019 - clocks are small, frozen and few
    def _window(self, day: date) -> tuple[datetime, datetime]:
        """A business day's opening and closing, as naive UTC."""
        opens = datetime.combine(day, self.opens, self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.closes, self.zone).astimezone(UTC)
        return opens.replace(tzinfo=None), closes.replace(tzinfo=None)

    def overdue_if_created_by(self, now: datetime) -> datetime:
        """The latest creation time whose due time has come by ``now``: an owed comment is
        overdue at ``now`` exactly when it was created at or before this. Due times only
        grow with creation times, so a bisection finds it (to the microsecond)."""
        if not self.business_hours:
            return now - timedelta(hours=self.hours)
        low, high = now - timedelta(days=3650), now
        while high - low > timedelta(microseconds=1):
            middle = low + (high - low) / 2
            low, high = (middle, high) if self.due_at(middle) <= now else (low, middle)
        return low

    def due_at(self, created_at: datetime) -> datetime:
        """Created (naive UTC) plus the SLA, counting only business hours when set."""
        remaining = timedelta(hours=self.hours)
        if not self.business_hours:
            return created_at + remaining
        cursor = created_at
        day = created_at.replace(tzinfo=UTC).astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(3700):  # ten years of calendar: a bound, never reached in practice
            if self._open_on(day):
                opens, closes = self._window(day)
                start = max(cursor, opens)
                if start < closes:
                    available = closes - start
                    if remaining <= available:
                        return start + remaining
                    remaining -= available
                    cursor = closes
            day += timedelta(days=1)
        raise BadBusinessHours("business hours never open")

    def hours_between(self, start: datetime, end: datetime) -> float:
        """The hours this clock counts from ``start`` to ``end`` (naive UTC): every hour,
        or only those inside business hours, so a wait reads in the SLA's own hours."""
        if end <= start:
            return 0.0
        if not self.business_hours:
            return (end - start).total_seconds() / 3600
        counted = timedelta()
        day = start.replace(tzinfo=UTC).astimezone(self.zone).date() - timedelta(days=1)
        last = end.replace(tzinfo=UTC).astimezone(self.zone).date() + timedelta(days=1)
        while day <= last:
            if self._open_on(day):
                opens, closes = self._window(day)
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta():
                    counted += overlap
            day += timedelta(days=1)
        return counted.total_seconds() / 3600

    def overdue_cutoff(self, now: datetime) -> datetime:
        """The latest creation time whose due time has passed at ``now`` (due_at is monotone)."""
        if not self.business_hours:
            return now - timedelta(hours=self.hours)
        low = now - timedelta(hours=self.hours) - timedelta(days=60)
        high = now - timedelta(hours=self.hours)
        if self.due_at(high) <= now:
            return high
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if self.due_at(middle) <= now:
                low = middle
            else:
                high = middle
        return low.replace(microsecond=0)


def _parse_days(text: str) -> list[int]:
    days = []
    for word in (w.strip().lower()[:3] for w in text.split(",") if w.strip()):
        if word not in DAY_NAMES:
            raise BadBusinessHours(f"BUSINESS_DAYS: {word!r} is not a day (mon … sun)")
        days.append(DAY_NAMES.index(word))
    return days


def _parse_dates(text: str) -> list[date]:
    """BUSINESS_HOLIDAYS: ISO dates, comma-separated (2026-12-25,2026-12-26)."""
    dates = []
    for word in (w.strip() for w in text.split(",") if w.strip()):
        try:
            dates.append(date.fromisoformat(word))
        except ValueError:
            message = f"BUSINESS_HOLIDAYS: {word!r} is not a date like 2026-12-25"
            raise BadBusinessHours(message) from None
    return dates


def _parse_hours(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise BadBusinessHours(f"BUSINESS_HOURS: {text!r} is not like 09:00-17:00") from None
    if end <= start:
        raise BadBusinessHours("BUSINESS_HOURS: closing must come after opening")
    return start, end


def describe(delta: timedelta) -> str:
    """A short human duration: "45 min", "3 h", "2 d 4 h"."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
