"""The cron endpoint's 401 tells the sysadmin about CRON_SECRET, not about JWT sign-in."""
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
CRON_URL = "/api/cron/check-overdue"


@pytest.mark.parametrize("authorization", [None, "Bearer pas-le-bon-secret"])
def test_a_refused_cron_call_says_to_send_the_cron_secret_not_to_sign_in(hooks, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    body = APIClient().post(CRON_URL, **headers).json()

    assert body["status"] == 401
    assert "Authorization: Bearer <CRON_SECRET>" in body["hint"]
    assert "/api/auth/login" not in body["hint"]


def test_the_hint_names_cron_secret_whatever_the_callers_language(hooks):
    body = APIClient().post(CRON_URL, HTTP_ACCEPT_LANGUAGE="en").json()

    assert "CRON_SECRET" in body["hint"]
