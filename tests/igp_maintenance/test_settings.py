"""The settings refuse an unsafe production configuration before serving anything."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-x8Zq3vN1pL0rT7yW2eA9sD4fG6hJ5kM"


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items()
            if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "JWT_SIGNING_KEY", "CRON_SECRET"}}
    base.update({"ENV_FILE": "/dev/null", "DATABASE_URL": "sqlite:////tmp/igp-settings-test.sqlite3"}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("key", [None, "change-me", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789", "court"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    env = {"DEBUG": "False", "ALLOWED_HOSTS": "maintenance.igpglass.ca"}
    if key is not None:
        env["SECRET_KEY"] = key
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


PRODUCTION = {"DEBUG": "False", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "maintenance.igpglass.ca"}


@pytest.mark.parametrize("name", ["JWT_SIGNING_KEY", "CRON_SECRET"])
def test_production_refuses_to_start_with_a_short_jwt_key_or_cron_secret(name):
    result = manage("check", **PRODUCTION, **{name: "x" * 31})

    assert result.returncode != 0
    assert f"{name} compte moins de 32 caractères" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


def test_production_accepts_long_secrets_and_an_unset_cron_secret():
    assert manage("check", **PRODUCTION, JWT_SIGNING_KEY="j" * 32, CRON_SECRET="c" * 32).returncode == 0
    assert manage("check", **PRODUCTION, CRON_SECRET="").returncode == 0


def test_development_accepts_short_secrets():
    assert manage("check", DEBUG="True", JWT_SIGNING_KEY="court", CRON_SECRET="court").returncode == 0


# A pair printed by `manage.py generate_vapid_keys` (Web Push, issue 13): production sets one.
VAPID = {"VAPID_PUBLIC_KEY": "BDnubLZHbxOs_IDYUbD5TXit9aB2uuUGEGvcwa-zZOM44fs59km1m8odebJTl6gWt4pgwwl8PSrlavHja-NUmrc",
         "VAPID_PRIVATE_KEY": "Z0vb5LBzx-V6XAwft1EqnBZqn6dHalXgk5d8IW4TaYQ",
         "VAPID_SUBJECT": "mailto:maintenance@igp.test"}


def test_the_deployment_check_reports_nothing_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="False", SECRET_KEY=GOOD_KEY,
                    ALLOWED_HOSTS="maintenance.igpglass.ca", **VAPID)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_names_the_missing_web_push_keys_but_the_scan_still_starts():
    deploy = manage("check", "--deploy", **PRODUCTION)
    plain = manage("check", **PRODUCTION)

    assert deploy.returncode != 0 and "notifications.E001" in deploy.stderr
    assert "generate_vapid_keys" in deploy.stderr
    assert plain.returncode == 0, plain.stderr  # migrate and check_overdue are not stopped by it


def test_development_starts_with_no_configuration_at_all():
    result = manage("check", DEBUG="True")
    assert result.returncode == 0, result.stderr
