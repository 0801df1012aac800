"""Worst-case Markdown render time over the pathological corpus, before and after the budget.

Each input of tests/data/pathological_markdown/corpus.json is built at a comment's
maximum (5,000 characters, rendered as a comment) and a post's (100,000, rendered as
a post), then rendered two ways:

- before: plain Python-Markdown in the calling process, as every render ran until
  the budget (``markup.render_here``), each input in a subprocess killed after
  ``--cap`` seconds;
- after: through ``markup.render_comment`` / ``render_post``, the pool of renderer
  processes with its deadline (RENDER_TIMEOUT_SECONDS, default 2 s).

Prints a table (seconds; "refused" where the budget stopped the render) and the worst
case of each. Not part of the test run.

    .venv/bin/python bench/render.py              # cap 30 s: about ten minutes
    .venv/bin/python bench/render.py --cap 5
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from blogapp import markup
from tests.pathological import load_corpus

ROOT = Path(__file__).resolve().parent.parent

SIZES = (("comment", 5_000), ("post", 100_000))
BEFORE = """
import sys, time
from blogapp.markup import render_here
text = sys.stdin.read()
start = time.perf_counter()
try:
    render_here(sys.argv[1], text)
    outcome = "ok"
except RecursionError:
    outcome = "RecursionError"
print(time.perf_counter() - start, outcome)
"""


def before(kind: str, text: str, cap: float) -> tuple[float | None, str]:
    """Seconds plain Markdown took (None when killed at ``cap``), and how it ended."""
    try:
        run = subprocess.run(
            [sys.executable, "-c", BEFORE, kind],
            input=text,
            capture_output=True,
            text=True,
            timeout=cap,
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return None, "killed"
    seconds, outcome = run.stdout.split()
    return float(seconds), outcome


def after(kind: str, text: str) -> tuple[float, str]:
    """Seconds the budgeted renderer took, and whether it rendered or refused."""
    render = markup.render_post if kind == "post" else markup.render_comment
    start = time.perf_counter()
    try:
        render(text)
        outcome = "ok"
    except markup.RenderRefused:
        outcome = "refused"
    return time.perf_counter() - start, outcome


def shown(seconds: float | None, outcome: str, cap: float) -> str:
    if seconds is None:
        return f"> {cap:g} s (killed)"
    return f"{seconds:7.2f}" + ("" if outcome == "ok" else f" {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cap", type=float, default=30.0, help="seconds before a 'before' run is killed"
    )
    args = parser.parse_args()
    corpus = load_corpus()
    markup.render_comment("warm up")  # the pool's first worker starts outside the figures
    print(
        f"{len(corpus)} inputs; budget {markup.DEFAULT_TIMEOUT_SECONDS:g} s, "
        f"{markup.DEFAULT_WORKERS} workers; load {os.getloadavg()[0]:.2f}"
    )
    for kind, limit in SIZES:
        print(f"\n{kind}s of {limit:,} characters")
        print(f"{'input':48} {'before (s)':>22} {'after (s)':>18}")
        worst_before: float | None = 0.0
        worst_after = 0.0
        for entry in corpus:
            text = entry.text(limit)
            was, was_outcome = before(kind, text, args.cap)
            now, now_outcome = after(kind, text)
            print(
                f"{entry.name[:48]:48} {shown(was, was_outcome, args.cap):>22} "
                f"{shown(now, now_outcome, args.cap):>18}"
            )
            if was is None or worst_before is None:
                worst_before = None
            else:
                worst_before = max(worst_before, was)
            worst_after = max(worst_after, now)
        if worst_before is None:
            print(
                f"worst: before > {args.cap:g} s (killed), after {worst_after:.2f} s, "
                f"ratio > {args.cap / worst_after:.0f}x"
            )
        else:
            print(
                f"worst: before {worst_before:.2f} s, after {worst_after:.2f} s, "
                f"ratio {worst_before / worst_after:.1f}x"
            )
    print(f"\nload {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
