"""French is the source language; English must be complete.

The catalogue is checked against the code, not only against itself: the test
runs `makemessages` on a copy of the source tree, so a string marked for
translation in a template, a view or an e-mail but missing from
`locale/en/LC_MESSAGES/django.po` fails here just like an empty or fuzzy entry.
It needs GNU gettext (`xgettext`, `msgattrib`, `msgfmt`), which Django's own
`makemessages`/`compilemessages` need too (Debian package `gettext`).
"""
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".po", ".mo"}
SKIP_DIRS = {".git", ".venv", "node_modules", "media", "staticfiles", "bench", "tests", "docs", "__pycache__"}

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
                                reason="GNU gettext missing: apt-get install gettext")


def _copy_sources(dest):
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        rel = Path(dirpath).relative_to(ROOT)
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES:
                (dest / rel).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(dirpath) / name, dest / rel / name)


def _statistics(po):
    """msgfmt's count, e.g. `210 translated messages, 3 untranslated messages.`"""
    return subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True,
                          check=True).stderr.strip()


def _entries(po, flag):
    return subprocess.run(["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def refreshed_catalogue(tmp_path_factory):
    """The English catalogue as `makemessages` would leave it after reading today's code."""
    tree = tmp_path_factory.mktemp("sources")
    _copy_sources(tree)
    env = {**os.environ, "ENV_FILE": "/dev/null", "DEBUG": "True", "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
                   cwd=tree, env=env, check=True, capture_output=True, text=True, timeout=300)
    return tree / "locale/en/LC_MESSAGES/django.po"


def test_every_string_the_code_marks_for_translation_has_an_english_translation(refreshed_catalogue):
    counts = _statistics(refreshed_catalogue)
    assert "untranslated" not in counts, (
        "Untranslated strings: run `.venv/bin/python manage.py makemessages -l en --no-obsolete`, translate them "
        "in locale/en/LC_MESSAGES/django.po, then `.venv/bin/python manage.py compilemessages`.\n"
        + counts + "\n" + _entries(refreshed_catalogue, "--untranslated")
    )


def test_the_english_catalogue_has_no_fuzzy_entry():
    counts = _statistics(PO)
    assert "fuzzy" not in counts and "untranslated" not in counts, (
        "Fuzzy entries are not used by Django: check and unflag them.\n" + counts + "\n" + _entries(PO, "--only-fuzzy")
    )


def test_the_compiled_catalogue_matches_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    with compiled.open("rb") as fresh, MO.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            "locale/en/LC_MESSAGES/django.mo is out of date: run `.venv/bin/python manage.py compilemessages`."
        )
