"""Load: gunicorn with 4 workers, 50 concurrent clients writing for 30 s (LOAD_SECONDS).

Afterwards every request that got a success is in the database exactly once, the
queue invariant holds, search shows no drift after a sync, and nothing was a 500.
The throughput is printed; bench/load.py reports it with a baseline.
"""

import os

import pytest

from tests.load_harness import (
    Gunicorn,
    check_every_success_stored_once,
    check_queue_invariant,
    flask,
    run_clients,
    seed_site,
    server_env,
)

pytestmark = pytest.mark.slow  # load: gunicorn and 50 clients for LOAD_SECONDS

LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))


def test_fifty_clients_lose_nothing_and_never_see_a_500(app):
    site = seed_site()
    env = server_env(app)
    server = Gunicorn(env, workers=4)
    try:
        report = run_clients(server.url, site, clients=50, seconds=LOAD_SECONDS)
    finally:
        server.stop()
    statuses = report.statuses
    print(
        f"\nload: {len(report.outcomes)} writes in {report.seconds:.1f}s, "
        f"{report.writes_per_second:.1f} accepted/s, statuses {dict(statuses)}"
    )
    assert 500 not in statuses and 0 not in statuses, statuses
    kinds = {o.kind for o in report.outcomes if o.ok}
    assert {"comment", "reply", "staff-reply", "acknowledge"} <= kinds, kinds
    assert sum(o.ok for o in report.outcomes) >= 100
    check_every_success_stored_once(report)
    check_queue_invariant()
    sync = flask(env, "search", "sync")
    assert sync.returncode == 0, sync.stdout + sync.stderr
    check = flask(env, "search", "check")
    assert check.returncode == 0, check.stdout + check.stderr
