"""What an import did, or would do: counts and a few examples of each outcome."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, fields

from blogapp.importing.records import Skipped

EXAMPLES = 5


@dataclass
class ImportReport:
    dry_run: bool
    # ("post", "created") → 12; outcomes: created, matched (already here), skipped.
    counts: Counter = field(default_factory=Counter)
    # "post created" → up to EXAMPLES short descriptions.
    examples: dict[str, list[str]] = field(default_factory=dict)
    # why → how many, for everything skipped (the reader's and the writer's).
    skipped: Counter = field(default_factory=Counter)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)
    # the response tracker on the imported history: answered, closed, queued, joined.
    tracker: Counter = field(default_factory=Counter)
    # old address → new post path, for every address recorded.
    redirects: list[tuple[str, str]] = field(default_factory=list)
    records_read: int = 0

    def count(self, what: str, outcome: str, example: str = "") -> None:
        self.counts[f"{what} {outcome}"] += 1
        if example:
            shown = self.examples.setdefault(f"{what} {outcome}", [])
            if len(shown) < EXAMPLES:
                shown.append(example)

    def skip(self, what: str, reason: str, example: str = "") -> None:
        key = f"{what}: {reason}"
        self.counts[f"{what} skipped"] += 1
        self.skipped[key] += 1
        if example:
            shown = self.skipped_examples.setdefault(key, [])
            if len(shown) < EXAMPLES:
                shown.append(example)

    def reader_skipped(self, skipped: Skipped) -> None:
        """A reader's report of an element it could not use."""
        where = f"line {skipped.line}" if skipped.line else "somewhere"
        reason = skipped.reason if skipped.element == "xml" else skipped.reason.split(": ")[-1]
        self.skip(skipped.element, reason if skipped.element != "xml" else "malformed XML",
                  f"{where}: {skipped.reason}")  # fmt: skip

    def total(self, key: str) -> int:
        return self.counts.get(key, 0)

    def lines(self) -> list[str]:
        """The report as text, for the command line."""
        head = "Dry run: nothing was written." if self.dry_run else "Imported."
        out = [head, f"{self.records_read:,} records read."]
        for key in sorted(self.counts):
            out.append(f"  {key}: {self.counts[key]:,}")
            out += [f"      e.g. {e}" for e in self.examples.get(key, [])]
        if self.skipped:
            out.append("Skipped, and why:")
            for key, n in self.skipped.most_common():
                out.append(f"  {key}: {n:,}")
                out += [f"      e.g. {e}" for e in self.skipped_examples.get(key, [])]
        if self.tracker:
            out.append("Response tracker:")
            out += [f"  {key}: {n:,}" for key, n in sorted(self.tracker.items())]
        if self.redirects:
            out.append(f"Old addresses redirected (301): {len(self.redirects):,}")
            out += [f"  {old} -> {new}" for old, new in self.redirects]
        return out

    def to_json(self) -> str:
        # Not dataclasses.asdict: it rebuilds a Counter from (key, count) pairs, which
        # counts the pairs instead.
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        data = json.loads(text)
        report = cls(dry_run=data["dry_run"])
        report.counts = Counter(data["counts"])
        report.examples = data["examples"]
        report.skipped = Counter(data["skipped"])
        report.skipped_examples = data["skipped_examples"]
        report.tracker = Counter(data["tracker"])
        report.redirects = [tuple(pair) for pair in data["redirects"]]
        report.records_read = data["records_read"]
        return report
