"""The pathological Markdown corpus (tests/data/pathological_markdown/corpus.json).

Each entry says how an input is built, so one entry gives the worst text of its
kind at any length: a comment's maximum, a post's maximum. Kinds:
``piece`` repeated n times (after ``prefix``, then ``middle``, then ``close`` n
times), ``grow`` (runs of 1, 2, 3... ``grow`` with ``between`` around them) and
``nest`` (``line`` indented by ``nest`` once more on each line).
"""

import json
from dataclasses import dataclass
from pathlib import Path

CORPUS_FILE = Path(__file__).parent / "data" / "pathological_markdown" / "corpus.json"


@dataclass(frozen=True)
class Pathological:
    name: str
    source: str
    spec: dict

    def text(self, limit: int) -> str:
        """The input at its largest within ``limit`` characters."""
        spec = self.spec
        if "grow" in spec:
            parts, size, n = [], 0, 1
            while size + n * len(spec["grow"]) + len(spec["between"]) <= limit:
                parts.append(spec["between"] + spec["grow"] * n)
                size += len(parts[-1])
                n += 1
            return "".join(parts)
        if "nest" in spec:
            lines, size, depth = [], 0, 0
            while size + len(spec["nest"]) * depth + len(spec["line"]) <= limit:
                lines.append(spec["nest"] * depth + spec["line"])
                size += len(lines[-1])
                depth += 1
            return "".join(lines)
        prefix, piece = spec.get("prefix", ""), spec["piece"]
        middle, close = spec.get("middle", ""), spec.get("close", "")
        n = (limit - len(prefix) - len(middle)) // (len(piece) + len(close))
        return prefix + piece * n + middle + close * n


def load_corpus() -> list[Pathological]:
    """Every entry of the corpus, in file order."""
    entries = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    return [Pathological(e.pop("name"), e.pop("source"), e) for e in entries]
