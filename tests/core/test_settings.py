"""Production mode refuses bad settings; development mode needs none."""

import os
import secrets
import subprocess
import sys

import pytest

GOOD_KEY = secrets.token_urlsafe(64)


def load_settings(env: dict, tmp_path) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these variables."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    base.update({"HOMECOMING_VAR_DIR": str(tmp_path), "HOMECOMING_TESTING": "0"})
    base.update(env)
    code = "import homecoming.settings as s; print(s.MODE, s.DEBUG, getattr(s, 'SESSION_COOKIE_SECURE', '-'))"
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "hq.example.org"}, "SECRET_KEY must be set in production mode"),
        ({"SECRET_KEY": "django-insecure-" + "a1b2c3" * 10, "ALLOWED_HOSTS": "hq.example.org"}, "not a real secret"),
        ({"SECRET_KEY": "x" * 80, "ALLOWED_HOSTS": "hq.example.org"}, "not a real secret"),
        ({"SECRET_KEY": "short-but-random-9f8e7d", "ALLOWED_HOSTS": "hq.example.org"}, "at least 50 characters"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must be set"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "hq.example.org", "DEBUG": "1"}, "DEBUG cannot be on"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "hq.example.org", "DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "h", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a valid"),
    ],
)
def test_production_mode_refuses_bad_settings(env, message, tmp_path):
    result = load_settings({"HOMECOMING_MODE": "production", **env}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_unknown_mode_is_refused(tmp_path):
    result = load_settings({"HOMECOMING_MODE": "prod"}, tmp_path)
    assert result.returncode != 0
    assert "HOMECOMING_MODE must be" in result.stderr


def test_production_mode_with_real_settings_is_secure(tmp_path):
    result = load_settings(
        {"HOMECOMING_MODE": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "hq.example.org"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False", "True"]


def test_development_mode_generates_and_keeps_a_private_secret(tmp_path):
    first = load_settings({}, tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = key_file.read_text()
    assert len(key) >= 50
    second = load_settings({}, tmp_path)
    assert second.returncode == 0
    assert key_file.read_text() == key  # kept, so sessions survive a restart


def test_deploy_check_is_clean_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(
        {
            "HOMECOMING_MODE": "production",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "hq.example.org",
            "HOMECOMING_VAR_DIR": str(tmp_path),
            "HOMECOMING_TESTING": "0",
            "DJANGO_SETTINGS_MODULE": "homecoming.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "homecoming", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _open_sqlite(tmp_path, umask: int = 0o022) -> subprocess.CompletedProcess:
    """Start the application on an SQLite file in ``tmp_path`` and write to it (WAL files appear)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    base.update({"HOMECOMING_VAR_DIR": str(tmp_path), "HOMECOMING_TESTING": "0"})
    code = (f"import os; os.umask({umask}); import django; os.environ['DJANGO_SETTINGS_MODULE']='homecoming.settings';"
            "django.setup(); from django.db import connection; c = connection.cursor();"
            "c.execute('create table t (x int)'); c.execute('insert into t values (1)');"
            "import pathlib; [print(p.name, oct(p.stat().st_mode & 0o777)) for p in pathlib.Path("
            "os.environ['HOMECOMING_VAR_DIR']).iterdir() if p.name.startswith('homecoming.sqlite3')]")
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True)


def test_the_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    result = _open_sqlite(tmp_path)
    assert result.returncode == 0, result.stderr
    modes = dict(line.split() for line in result.stdout.splitlines())  # while the connection is open
    assert set(modes) >= {"homecoming.sqlite3", "homecoming.sqlite3-wal"}
    assert all(int(mode, 8) & 0o077 == 0 for mode in modes.values()), modes


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "homecoming.sqlite3"
    path.touch()
    path.chmod(0o644)
    result = _open_sqlite(tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)
