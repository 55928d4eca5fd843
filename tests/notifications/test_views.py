"""The HTTP side: cron endpoint (its own secret), JWT endpoints, health."""
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from notifications.models import ScanRun
from tests.conftest import NOW

from .conftest import CRON_SECRET, hook_ok

pytestmark = pytest.mark.django_db
CRON_URL = "/api/cron/check-overdue"


@pytest.fixture
def api():
    return APIClient()


def cron(api, authorization=None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return api.post(CRON_URL, **headers)


def jwt(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}


@time_machine.travel(NOW, tick=False)
def test_the_cron_endpoint_answers_in_the_original_shape(api, overdue_ticket, hooks):
    ticket = overdue_ticket(title="Ajouter de la graisse aux enrenages d'entrainement")
    hook_ok(hooks)

    response = cron(api, f"Bearer {CRON_SECRET}")

    assert response.status_code == 200
    body = response.json()
    sent_at = body["notifications"][0]["sent_at"]  # Now plus the few milliseconds the run took.
    assert sent_at.startswith("2025-11-12T09:26:00.") and sent_at.endswith("-05:00")
    assert body == {
        "message": "Vérification terminée",
        "total_overdue": 1,
        "notifications_sent": 1,
        "notifications": [{
            "ticket_id": ticket.ticket_id,
            "title": "Ajouter de la graisse aux enrenages d'entrainement",
            "overdue_text": "2 jour(s) 9h 26min",
            "webhook_status": 200,
            "sent_at": sent_at,
        }],
        "checked_at": "2025-11-12T09:26:00.000-05:00",
    }
    assert ScanRun.objects.get().trigger == "http"


@time_machine.travel(NOW, tick=False)
def test_the_cron_answer_lists_errors_only_when_a_delivery_failed(api, overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks, status=502)

    body = cron(api, f"Bearer {CRON_SECRET}").json()

    assert body["notifications_sent"] == 0 and body["notifications"] == []
    assert body["errors"] == [{"ticket_id": ticket.ticket_id, "endpoint": "OVERDUE_WEBHOOK_URL",
                               "webhook_status": 502, "error": "Code HTTP 502 reçu"}]


@pytest.mark.parametrize("authorization", [
    None,
    "",
    "Bearer wrong-secret",
    f"Token {CRON_SECRET}",
    f"Bearer {CRON_SECRET} ",
    "Bearer sécret-àccentué",
    "Bearer \u2603\u2603",
])
def test_the_cron_endpoint_refuses_a_missing_or_wrong_secret_with_401_json(api, hooks, authorization):
    response = cron(api, authorization)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json(), dict) and response.json()
    assert not ScanRun.objects.exists()


def test_the_cron_endpoint_is_disabled_not_open_when_no_secret_is_set(api, settings, hooks):
    settings.CRON_SECRET = ""

    assert cron(api, "Bearer ").status_code == 503
    assert cron(api).status_code == 503
    assert not ScanRun.objects.exists()


def test_the_cron_endpoint_does_not_take_a_jwt(api, supervisor, hooks):
    assert api.post(CRON_URL, **jwt(supervisor)).status_code == 401


def test_the_cron_endpoint_only_accepts_post(api):
    assert api.get(CRON_URL, HTTP_AUTHORIZATION=f"Bearer {CRON_SECRET}").status_code == 405


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_can_run_the_check_from_the_app(api, supervisor, overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)

    response = api.post("/api/webhooks/check-overdue-tickets", **jwt(supervisor))

    assert response.status_code == 200
    assert response.json()["notifications_sent"] == 1
    assert ScanRun.objects.get().trigger == "api"


def test_a_technician_cannot_run_the_check(api, technician, hooks):
    assert api.post("/api/webhooks/check-overdue-tickets", **jwt(technician)).status_code == 403
    assert not ScanRun.objects.exists()


def test_an_anonymous_caller_cannot_run_the_check(api, hooks):
    assert api.post("/api/webhooks/check-overdue-tickets").status_code == 401


@time_machine.travel(NOW, tick=False)
def test_the_history_of_a_ticket_is_shown_to_anyone_who_may_see_it(api, technician, overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks, status=500)
    cron(api, f"Bearer {CRON_SECRET}")

    response = api.get(f"/api/webhooks/notification-history/{ticket.ticket_id}", **jwt(technician))

    assert response.status_code == 200
    [row] = response.json()["notifications"]
    assert (row["response_status"], row["succeeded"], row["error"], row["attempt"]) == (
        500, False, "Code HTTP 500 reçu", 1)


def test_the_history_of_a_ticket_is_hidden_from_an_operator_who_cannot_see_it(api, operator, overdue_ticket):
    ticket = overdue_ticket()
    response = api.get(f"/api/webhooks/notification-history/{ticket.ticket_id}", **jwt(operator))
    assert response.status_code == 404


def test_health_is_503_when_no_scan_ever_ran(api):
    response = api.get("/api/health")
    assert response.status_code == 503
    assert response.json()["status"] == "stale" and response.json()["last_run_at"] is None


def test_health_is_200_with_the_last_runs_age_then_503_after_15_minutes(api):
    ScanRun.objects.create(trigger="crontab", started_at=NOW)
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        response = api.get("/api/health")
        assert response.status_code == 200
        assert response.json()["last_run_age_seconds"] == 240
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert api.get("/api/health").status_code == 503
