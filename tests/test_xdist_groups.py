"""`make test` runs two pytest-xdist workers; the tests marked `alone` (and whole files
such as *_race.py) must all go to one of them, one after another.

Run on a tiny suite of its own in tmp_path, with tests/conftest.py's collection hook:
each test says which worker ran it.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SUITE = {
    "pytest.ini": """
        [pytest]
        addopts = --strict-markers --dist loadgroup -p no:cacheprovider
        markers =
            alone: one at a time
    """,
    "conftest.py": """
        from tests.conftest import pytest_collection_modifyitems  # noqa: F401
    """,
    "test_a_race.py": """
        def test_race_one(): pass
        def test_race_two(): pass
    """,
    "test_b.py": """
        import pytest

        @pytest.mark.alone
        def test_marked_alone(): pass

        @pytest.mark.parametrize("n", range(8))
        def test_plain(n): pass
    """,
}


@pytest.mark.slow  # concurrency: a pytest run with two workers
def test_alone_tests_share_one_worker_and_the_rest_spread(tmp_path):
    for name, text in SUITE.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-v"],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,  # three processes that import the app: seconds, unless the machine is busy
    )
    assert run.returncode == 0, run.stdout + run.stderr
    ran = re.findall(r"\[(gw\d)\] .*PASSED (\S+)", run.stdout)
    assert len(ran) == 11, run.stdout
    alone = {worker for worker, test in ran if test.endswith("@alone")}
    names = {test.split("::")[1].split("@")[0] for _, test in ran if test.endswith("@alone")}
    assert names == {"test_race_one", "test_race_two", "test_marked_alone"}, run.stdout
    assert len(alone) == 1, run.stdout
    assert {worker for worker, _ in ran} == {"gw0", "gw1"}, run.stdout
