"""Configuration: safe defaults, and production refuses a missing secret."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from blogapp import ConfigError, create_app
from blogapp.ops.secret_key import secret_key_entropy_bits
from config import DEV_SECRET_KEY, DevelopmentConfig, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def test_development_default_is_sqlite_under_instance():
    assert DevelopmentConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert DevelopmentConfig.SQLALCHEMY_DATABASE_URI.endswith("/parley.db")


@pytest.mark.parametrize("secret", ["", DEV_SECRET_KEY])
def test_production_refuses_to_start_without_a_real_secret(secret, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=secret, INSTANCE_DIR=str(tmp_path))


@pytest.mark.parametrize(
    "secret",
    [
        "x" * 64,  # long, and one character
        "abcd" * 16,  # long, and a pattern
        # random, but 16 bytes (named: a random id would differ between xdist workers)
        pytest.param(secrets.token_hex(16), id="random-16-bytes"),
        "correct horse battery staple 2026",  # a passphrase: ~200 bits at most
        b"\x00" * 32,
    ],
)
def test_production_refuses_a_secret_with_under_32_bytes_of_randomness(secret, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY holds about .* bits .* 256 needed"):
        create_app(ProductionConfig, SECRET_KEY=secret, INSTANCE_DIR=str(tmp_path))


@pytest.mark.parametrize(
    "make_secret",
    [
        lambda: secrets.token_hex(32),
        lambda: secrets.token_hex(32).upper(),
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_bytes(32),
    ],
)
def test_production_accepts_32_random_bytes_however_written(make_secret, tmp_path):
    for _ in range(200):  # random keys: no unlucky draw may be refused
        assert secret_key_entropy_bits(make_secret()) >= 256
    create_app(
        ProductionConfig,
        SECRET_KEY=make_secret(),
        SITE_URL="https://blog.example.com",
        INSTANCE_DIR=str(tmp_path),
    )


def test_production_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(PARLEY_ENV="production", PARLEY_INSTANCE_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr


def test_production_cookies_are_secure(tmp_path):
    app = create_app(
        ProductionConfig,
        SECRET_KEY=secrets.token_hex(32),
        SITE_URL="https://blog.example.com",
        INSTANCE_DIR=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    import config

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert config._database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config._database_url() == "postgresql+psycopg://u@h/db"


def test_unknown_environment_name_is_refused(monkeypatch):
    import config

    monkeypatch.setenv("PARLEY_ENV", "staging")
    with pytest.raises(ConfigError, match="PARLEY_ENV='staging' is not one of development"):
        config.config_from_env()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SEARCH_BACKEND", "postgres", "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL"),
        ("SEARCH_BACKEND", "elastic", "SEARCH_BACKEND='elastic': choose one of whoosh, postgres"),
        ("TRUSTED_HOSTS", ["https://blog.example.com"], "TRUSTED_HOSTS: 'https://blog.exa"),
        ("TRUSTED_HOSTS", ["www.example.com"], "TRUSTED_HOSTS does not name the host of SITE_URL"),
        ("SITE_TIMEZONE", "Mars/Olympus", "SITE_TIMEZONE='Mars/Olympus' is not a time zone"),
        ("BUSINESS_TIMEZONE", "CEST", "BUSINESS_TIMEZONE='CEST' is not a time zone"),
        ("BUSINESS_HOURS", "9-5pm", "BUSINESS_HOURS: '9-5pm' is not like 09:00-17:00"),
        ("BUSINESS_DAYS", "mon,fun", "BUSINESS_DAYS: 'fun' is not a day"),
        ("DIGEST_TIME", "breakfast", "DIGEST_TIME='breakfast' is not a time like 08:00"),
        ("RENDER_WORKERS", 0, "RENDER_WORKERS=0 must be 1 or more"),
        ("RENDER_TIMEOUT_SECONDS", 0, "RENDER_TIMEOUT_SECONDS=0 must be above 0"),
        ("OUTBOX_GATHER_SECONDS", 5, "OUTBOX_GATHER_SECONDS=5 must be between 0 and 1.0"),
        ("OUTBOX_GATHER_SECONDS", -0.5, "OUTBOX_GATHER_SECONDS=-0.5 must be between 0 and 1.0"),
        ("PROXY_COUNT", -1, "PROXY_COUNT=-1 must be 0 or more"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT='xml': choose one of text, json"),
    ],
)
def test_every_bad_setting_is_a_config_error_naming_it(setting, value, message, tmp_path):
    settings = {"SITE_URL": "https://blog.example.com", setting: value}
    with pytest.raises(ConfigError, match=f"^Parley refuses to start: {re.escape(message)}"):
        create_app(
            DevelopmentConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'parley.db'}",
            INSTANCE_DIR=str(tmp_path),
            **settings,
        )


def start(command: list[str], tmp_path, **settings: str) -> subprocess.CompletedProcess:
    """``command`` run the way a server or an admin starts Parley, with these settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(PARLEY_ENV="development", PARLEY_INSTANCE_DIR=str(tmp_path), FLASK_APP="wsgi")
    env.update(settings)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "settings",
    [
        {"SEARCH_BACKEND": "postgres"},  # on the default SQLite
        {"POSTS_PER_PAGE": "ten"},
        {"DUE_SOON_HOURS": "soon"},
        {"OUTBOX_GATHER_SECONDS": "soon"},
        {"PARLEY_ENV": "staging"},
        {"BUSINESS_HOURS": "9-5"},
    ],
    ids=lambda settings: next(iter(settings)),
)
def test_a_bad_setting_stops_the_server_with_one_line(settings, tmp_path):
    result = start([sys.executable, "-c", "import wsgi"], tmp_path, **settings)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    name, value = next(iter(settings.items()))
    assert result.stderr.startswith(f"Parley refuses to start: {name}")
    assert value in result.stderr


def test_a_bad_setting_stops_the_flask_command_with_one_line(tmp_path):
    result = start([sys.executable, "-m", "flask", "routes"], tmp_path, SEARCH_BACKEND="postgres")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Parley refuses to start: SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL; "
        "use SEARCH_BACKEND=whoosh with SQLite."
    )


def test_a_bad_setting_stops_gunicorn_itself_with_one_line(tmp_path):
    """Checked in the master (gunicorn.conf.py's on_starting), not only in each worker,
    whose failed boot gunicorn would answer by starting another."""
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    result = start(
        command, tmp_path, SEARCH_BACKEND="postgres", GUNICORN_BIND="127.0.0.1:0"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Parley refuses to start: SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL; "
        "use SEARCH_BACKEND=whoosh with SQLite."
    )
    assert "Booting worker" not in result.stderr


SETTING_READ = re.compile(
    r"""(?:_bool|_int|_float|_choice|_words|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_the_readme_names_every_setting_config_py_reads():
    """Every variable config.py (and gunicorn.conf.py) reads from the environment appears,
    in backquotes, in the README, so an operator never has to read the code to find one."""
    readme = (ROOT / "README.md").read_text()
    read = {
        name
        for source in ("config.py", "gunicorn.conf.py")
        for name in SETTING_READ.findall((ROOT / source).read_text())
    }
    assert len(read) > 60, "the pattern still finds the settings"
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
