"""bin/install (production, idempotent) and bin/run (a newcomer's first command)."""
import os
import subprocess
import time

import requests

from .conftest import ROOT, cron_like, free_port


def test_bin_install_checks_migrates_and_collects_and_can_run_again(installed):
    env_file, first = installed
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Installation à jour" in first.stdout
    assert (ROOT / "staticfiles" / "staticfiles.json").exists()  # whitenoise's manifest: the pages' CSS and JS.

    again = cron_like(["bin/install"], env_file)

    assert again.returncode == 0, again.stdout + again.stderr
    assert "No migrations to apply." in again.stdout
    assert "Installation des dépendances" not in again.stdout  # requirements.txt unchanged: pip not run again.


def test_bin_install_stops_before_migrating_when_the_settings_are_not_production_ready(prod_env):
    prod_env.write_text(prod_env.read_text().replace("ALLOWED_HOSTS=maintenance.example.com", "ALLOWED_HOSTS="))

    result = cron_like(["bin/install"], prod_env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
    assert "Migrations" not in result.stdout


def test_bin_run_leaves_the_health_check_green(tmp_path):
    port = free_port()
    env = {**os.environ, "ADDR": f"127.0.0.1:{port}", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("ENV_FILE", None)
    server = subprocess.Popen(["bin/run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        response = None
        for _ in range(300):
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, "bin/run stopped"
                time.sleep(0.2)
        assert response is not None and response.status_code == 200, response and response.text
        assert response.json()["status"] == "ok"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
