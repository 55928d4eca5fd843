"""The cache every worker shares (sign-in counters, sessions): a database table by
default, created by `migrate`; Redis when CACHE_URL says so."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "CACHE_URL", "CACHE_KEY_PREFIX"}}
    base.update({"ENV_FILE": "/dev/null", "DEBUG": "True"}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True,
                          timeout=300)


PRINT_CACHE = ("from django.conf import settings as s; c = s.CACHES['default']; "
               "print(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX'], s.SESSION_ENGINE)")


def test_without_configuration_the_cache_is_a_table_of_the_database_the_tests_also_got(db):
    assert caches["default"].__class__.__name__ == "DatabaseCache"
    assert "igp_cache" in connection.introspection.table_names()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_migrate_on_a_fresh_database_creates_the_cache_table(tmp_path):
    database = tmp_path / "fresh.sqlite3"

    result = manage("migrate", "--noinput", DATABASE_URL=f"sqlite:///{database}")

    assert result.returncode == 0, result.stderr
    tables = {name for (name,) in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert "igp_cache" in tables


def test_a_redis_url_selects_djangos_own_redis_backend_and_sessions_kept_in_the_database_too():
    result = manage("shell", "-c", PRINT_CACHE, CACHE_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="usine-b")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/0",
                                     "usine-b", "django.contrib.sessions.backends.cached_db"]
