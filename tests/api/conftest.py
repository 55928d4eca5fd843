"""API helpers: a client signed in with a real JWT, as any member of the cast."""
import os
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, monkeypatch):
    """MD5 for the passwords of these tests (sign-in tests hash dozens of times).

    The shared cast caches one real hash per process: it is computed first, with
    the real hasher, so tests of other apps in this worker still get a real one.
    """
    from tests import conftest as cast

    cast._hashed_password()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    quick = make_password(cast.PASSWORD)
    monkeypatch.setattr(cast, "_hashed_password", lambda: quick)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient sending "Authorization: Bearer <access token>"."""

    def _client(user, **headers):
        client = APIClient(**headers)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        return client

    return _client


def ticket_url(ticket, suffix=""):
    """/api/tickets/<ticket_id>[/suffix], the number URL-encoded (it has spaces)."""
    return f"/api/tickets/{quote(ticket.ticket_id)}{'/' + suffix if suffix else ''}"


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def chromium(monkeypatch):
    """A headless Debian Chromium for the docs page (Playwright cannot download one here)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is used synchronously.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    connections.close_all()
