"""bin/test where Chromium cannot be had: the rest runs, the report says loudly what did not, CI fails."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TEST = "tests/api/test_schema.py::test_the_interactive_docs_work_in_chromium_without_internet_and_under_our_csp"


def run_pytest(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"}}
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "pytest", "-n", "0", *args],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def without_chromium():
    return run_pytest(BROWSER_TEST, CHROMIUM="/nonexistent/chromium")


def test_without_chromium_a_browser_test_is_skipped_and_the_run_stays_green(without_chromium):
    assert without_chromium.returncode == 0, without_chromium.stdout
    assert "1 skipped" in without_chromium.stdout


def test_the_report_names_the_tests_that_did_not_run_and_the_command_that_installs_chromium(without_chromium):
    out = without_chromium.stdout
    assert "BROWSER TESTS NOT RUN" in out
    assert BROWSER_TEST in out
    assert "sudo apt-get install chromium chromium-l10n" in out


def test_in_ci_a_skipped_browser_test_fails_the_run():
    result = run_pytest(BROWSER_TEST, CHROMIUM="/nonexistent/chromium", CI="true")

    assert result.returncode == 1, result.stdout
    assert "CI=true" in result.stdout
