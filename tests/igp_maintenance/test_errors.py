import pytest
from django.test import Client
from django.urls import path

from igp_maintenance.urls import urlpatterns as real_urlpatterns


def broken_view(request):
    raise RuntimeError("bug")


urlpatterns = [path("api/bug", broken_view), path("bug", broken_view), *real_urlpatterns]
handler500 = "igp_maintenance.views.server_error"


@pytest.fixture
def buggy(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def test_a_bug_under_the_api_answers_json(buggy, db):
    response = buggy.get("/api/bug")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_a_bug_on_a_page_answers_a_french_page(buggy, db):
    response = buggy.get("/bug")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_the_browser_finds_a_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_a_bug_under_the_api_answers_in_english_when_asked(buggy, db):
    response = buggy.get("/api/bug", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Internal server error. The incident has been logged."
