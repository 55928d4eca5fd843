"""One settings file for cron, systemd and a shell; a missing setting is one French line and exit 2."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-x8Zq3vN1pL0rT7yW2eA9sD4fG6hJ5kM"


def run(args, **env):
    """Like cron: no variable from anybody's shell, only what is given here."""
    environ = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env}
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


def manage(*args, **env):
    return run([sys.executable, "manage.py", *args], **env)


def assert_one_french_line(result, *words):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration incomplète : ")
    for word in words:
        assert word in lines[0]


def test_a_missing_secret_key_in_production_is_one_line_and_exit_2():
    result = manage("check_overdue", ENV_FILE="/dev/null", DEBUG="False", DATABASE_URL="sqlite:////tmp/x.sqlite3")

    assert_one_french_line(result, "SECRET_KEY", "secrets.token_urlsafe")


def test_production_without_database_url_refuses_instead_of_scanning_the_demo_database():
    result = manage("check_overdue", ENV_FILE="/dev/null", DEBUG="False", SECRET_KEY=GOOD_KEY)

    assert_one_french_line(result, "DATABASE_URL")


def test_a_settings_file_that_does_not_exist_is_named():
    result = manage("check_overdue", ENV_FILE="/etc/igp-maintenance/absent.env")

    assert_one_french_line(result, "/etc/igp-maintenance/absent.env")


def test_gunicorn_s_import_of_the_app_says_the_same_line_and_stops():
    result = run([sys.executable, "-c", "import igp_maintenance.wsgi"], ENV_FILE="/dev/null", DEBUG="False")

    assert result.returncode == 4  # gunicorn's "App failed to load": it stops instead of looping.
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Configuration incomplète : SECRET_KEY")
