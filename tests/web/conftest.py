"""Fixtures of the page tests: signed-in clients, a real photo, a Chromium."""
import os
import struct
import zlib
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=fr-CA"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots go to docs/screenshots/ when SCREENSHOTS_DIR says so (see the README, "Tests in a real browser");
# otherwise to the test's temporary directory, so a CI run leaves the checkout clean.
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR", "")


def png_bytes(width=4, height=3, rgb=(14, 116, 144)):
    """A small, valid PNG (no Pillow needed): what a phone's camera sends, only smaller."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def board_polls_rarely(settings):
    """A slow page test must not have the live board redrawn under its feet: the board
    polls once an hour here; the live-board tests set their own interval (1 s, 7 s)."""
    settings.BOARD_POLL_SECONDS = 3600


@pytest.fixture
def photo():
    return png_bytes()


@pytest.fixture
def screenshot_dir(tmp_path):
    path = Path(SCREENSHOTS_DIR) if SCREENSHOTS_DIR else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(monkeypatch):
    """A headless Debian Chromium, started and stopped with each test (no loop left running)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The live server's threads would keep their PostgreSQL sessions open for
    # CONN_MAX_AGE while Chromium holds a keep-alive socket: close them after each request.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    # Playwright's sync API runs an event loop in the test's thread, which Django takes
    # for async code; the ORM is used synchronously here. Only for this test: a
    # process-wide switch would leak into the subprocesses other tests start.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Django keeps one connection per context, and Playwright's loop runs the test in
    # another one: a connection opened on either side of it would be left open, and
    # PostgreSQL would refuse to drop the test database at the end of the run.
    connections.close_all()
    with sync_playwright() as playwright:
        # Chromium takes its own words (file button, date field) from LANGUAGE, not --lang, in headless
        # mode; with chromium-l10n installed they are French, as on the shop floor's phones.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              env={**os.environ, "LANGUAGE": "fr_CA:fr"})
        yield chromium
        chromium.close()
        connections.close_all()
    connections.close_all()
