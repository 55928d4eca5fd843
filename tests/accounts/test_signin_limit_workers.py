"""The sign-in limit holds across worker processes: two gunicorn workers, one Redis.

With counters in each worker's memory, five failures split three and two would
lock nothing. This starts the real server (gunicorn, two workers) against the
test database and Redis, guesses from two connections at once so both workers
answer, then checks that the right password is refused on every door.

Needs Redis on 127.0.0.1:6379 (.ci/run starts it). Without it the test is
skipped with the reason, except under CI=true, where it fails.
"""
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.conftest import PASSWORD

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 2
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def redis_url():
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError as exc:
        reason = f"Redis is not listening on {REDIS_HOST}:{REDIS_PORT} ({exc}): .ci/run starts it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"


def database_url():
    """The test database as a DATABASE_URL, for the server's processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server(redis_url, tmp_path):
    """gunicorn with two workers on an ephemeral port; yields (base URL, access log path, env)."""
    prefix = f"test-workers-{uuid.uuid4().hex}"
    env = {**os.environ, "ENV_FILE": "/dev/null", "DEBUG": "True", "DATABASE_URL": database_url(),
           "CONN_MAX_AGE": "0", "CACHE_URL": redis_url, "CACHE_KEY_PREFIX": prefix,
           "DJANGO_SETTINGS_MODULE": "igp_maintenance.settings"}
    errors, access = tmp_path / "gunicorn.log", tmp_path / "access.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", "127.0.0.1:0", "--timeout", "60",
         "--error-logfile", str(errors), "--access-logfile", str(access),
         "--access-logformat", '%(p)s "%(r)s" %(s)s "%(a)s"', "igp_maintenance.wsgi:application"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            log = errors.read_text() if errors.exists() else ""
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if port and log.count("Booting worker") >= 2:
                base = f"http://127.0.0.1:{port.group(1)}"
                break
            time.sleep(0.2)
        assert base, f"gunicorn did not start:\n{errors.read_text() if errors.exists() else ''}"
        yield base, access, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        import redis

        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def page_login(base, path, email, password, agent="test"):
    """Sign in through a form page: fetch it for its CSRF token, then post it."""
    session = requests.Session()
    session.headers["User-Agent"] = agent
    page = session.get(base + path, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(base + path, data={"csrfmiddlewaretoken": token, "username": email, "password": password,
                                           "next": "/admin/" if "admin" in path else ""},
                        headers={"Referer": base + path, "Accept-Language": "fr"}, allow_redirects=False,
                        timeout=30)


def api_login(base, email, password, agent="test"):
    return requests.post(base + "/api/auth/login", json={"email": email, "password": password},
                         headers={"User-Agent": agent}, timeout=30)


# Committed rows, for the server's processes. serialized_rollback: the flush at the end then
# leaves the content types to be restored as they were (see test_auth's refresh-token race).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_failures_spread_over_two_workers_lock_every_door_until_an_admin_resets(server, technician):
    base, access, env = server
    email = technician.email

    def guess(n):
        agent = f"guess-{n}"
        if n % 2:
            return page_login(base, "/connexion/", email, "mauvais", agent).status_code
        return api_login(base, email, "mauvais", agent).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(guess, range(5)))

    # Exactly one guess was the fifth failure counted, whichever worker served it.
    assert statuses.count(429) == 1
    assert set(statuses) <= {200, 401, 429}  # 200: the page's form again, "wrong password".
    guess_pids = {line.split()[0] for line in access.read_text().splitlines() if '"guess-' in line}
    assert len(guess_pids) == 2, f"both workers served the guesses: {access.read_text()}"

    page = page_login(base, "/connexion/", email, PASSWORD)
    assert page.status_code == 429
    assert "Trop de tentatives de connexion échouées" in page.text
    assert page_login(base, "/admin/login/", email, PASSWORD).status_code == 429
    api = api_login(base, email, PASSWORD)
    assert api.status_code == 429
    assert int(api.headers["Retry-After"]) > 800

    subprocess.run([sys.executable, "manage.py", "axes_reset_username", email], cwd=BASE_DIR, env=env, check=True,
                   capture_output=True, timeout=60)

    assert api_login(base, email, PASSWORD).status_code == 200
