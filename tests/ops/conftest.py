"""What the operations tests share: a production settings file, and commands run as cron runs them."""
import re
import socket
import subprocess
from pathlib import Path

import pytest

from notifications.management.commands.generate_vapid_keys import new_key_pair

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GOOD_KEY = "k" * 20 + "-x8Zq3vN1pL0rT7yW2eA9sD4fG6hJ5kM"


def write_prod_env(directory):
    """deploy/igp.env.example, filled in as the README says, on a database of its own."""
    text = (DEPLOY / "igp.env.example").read_text(encoding="utf-8")
    text = text.replace("SECRET_KEY=\n", f"SECRET_KEY={GOOD_KEY}\n")
    # The three lines `generate_vapid_keys` prints (Web Push): without them `check --deploy` stops the install.
    public, private = new_key_pair()
    text = text.replace("VAPID_PUBLIC_KEY=\n", f"VAPID_PUBLIC_KEY={public}\n")
    text = text.replace("VAPID_PRIVATE_KEY=\n", f"VAPID_PRIVATE_KEY={private}\n")
    text = text.replace("VAPID_SUBJECT=\n", "VAPID_SUBJECT=mailto:maintenance@igp.test\n")
    text = re.sub(r"^DATABASE_URL=.*$", f"DATABASE_URL=sqlite:///{directory / 'igp.sqlite3'}", text, flags=re.M)
    text = re.sub(r"^MEDIA_ROOT=.*$", f"MEDIA_ROOT={directory / 'media'}", text, flags=re.M)
    # The default, shared, cache (a table migrate creates): no Redis needed to test the rest.
    text = re.sub(r"^CACHE_URL=.*$", "CACHE_URL=dbcache://igp_cache", text, flags=re.M)
    path = directory / "igp.env"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def prod_env(tmp_path):
    """A production settings file on an empty database."""
    return write_prod_env(tmp_path)


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """(settings file, bin/install's first run): a production install done once, as the README says."""
    env_file = write_prod_env(tmp_path_factory.mktemp("prod"))
    return env_file, cron_like(["bin/install"], env_file)


def cron_like(args, env_file=None, **env):
    """No variable from anybody's shell, as under cron or systemd."""
    environ = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env}
    if env_file:
        environ["ENV_FILE"] = str(env_file)
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=180)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
