"""API helpers: a client signed in with a real JWT, as any member of the cast."""
from urllib.parse import quote

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    # Failed-login counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


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
