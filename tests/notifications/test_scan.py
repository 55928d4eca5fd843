"""The scan: one alert per overdue ticket and destination, at most once per 24 h
after a success, retried with growing delays after a failure, always recorded."""
from datetime import timedelta

import pytest
import requests
import responses

from notifications import services
from notifications.models import OverdueAlert, ScanRun, WebhookEndpoint, WebhookNotification
from notifications.services import claim_alert, run_overdue_scan, select_due
from tests.conftest import NOW

from .conftest import HOOK_URL, hook_ok, posted

pytestmark = pytest.mark.django_db


def test_an_overdue_ticket_gets_one_alert_and_it_is_recorded(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks)

    result = run_overdue_scan(now=NOW)

    assert len(hooks.calls) == 1
    [record] = WebhookNotification.objects.all()
    assert record.ticket == ticket
    assert record.notification_type == "overdue_scheduled"
    assert record.webhook_url == HOOK_URL
    assert record.response_status == 200
    assert record.response_body == '{"status": "success"}'
    assert record.succeeded and record.error == "" and record.attempt == 1
    assert record.duration is not None
    assert str(record.notification_id) == posted(hooks)[0]["notification_id"]
    assert result.ok and len(result.sent) == 1


def test_the_record_exists_before_the_request_goes_out(overdue_ticket, hooks):
    overdue_ticket()
    seen = []

    def callback(request):
        seen.extend(WebhookNotification.objects.values_list("error", "succeeded"))
        return 200, {}, "{}"

    hooks.add_callback(responses.POST, HOOK_URL, callback=callback)
    run_overdue_scan(now=NOW)

    assert seen == [("Envoi en cours", False)]


def test_a_ticket_alerted_successfully_is_not_alerted_again_within_24_hours(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)
    run_overdue_scan(now=NOW + timedelta(minutes=5))
    run_overdue_scan(now=NOW + timedelta(hours=23, minutes=59))
    assert len(hooks.calls) == 1

    run_overdue_scan(now=NOW + timedelta(hours=24))
    assert len(hooks.calls) == 2
    first, second = posted(hooks)
    assert first["notification_id"] != second["notification_id"], "the next day's alert is a new alert"


def test_a_failed_delivery_is_retried_after_5_15_60_then_every_60_minutes_with_the_same_id(overdue_ticket, hooks):
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    minutes = 0
    tried_at = []
    for _ in range(80):  # Every 5 minutes for 6 h 40 min, like cron-job.org.
        before = len(hooks.calls)
        run_overdue_scan(now=NOW + timedelta(minutes=minutes))
        if len(hooks.calls) > before:
            tried_at.append(minutes)
        minutes += 5

    assert tried_at[:6] == [0, 5, 20, 80, 140, 200]
    assert len({p["notification_id"] for p in posted(hooks)}) == 1
    attempts = list(WebhookNotification.objects.order_by("sent_at").values_list("attempt", "succeeded", "error"))
    assert attempts[:3] == [(1, False, "Code HTTP 500 reçu"), (2, False, "Code HTTP 500 reçu"),
                            (3, False, "Code HTTP 500 reçu")]


def test_a_success_after_failures_starts_the_24_hour_window(overdue_ticket, hooks):
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=503)
    run_overdue_scan(now=NOW)
    hooks.replace(responses.POST, HOOK_URL, json={}, status=200)
    run_overdue_scan(now=NOW + timedelta(minutes=5))

    run_overdue_scan(now=NOW + timedelta(hours=24))
    assert len(hooks.calls) == 2
    run_overdue_scan(now=NOW + timedelta(hours=24, minutes=5))
    assert len(hooks.calls) == 3
    ids = [p["notification_id"] for p in posted(hooks)]
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize("fault, error", [
    (requests.exceptions.ConnectTimeout("slow"), "Délai de connexion"),
    (requests.exceptions.ReadTimeout("slow"), "Délai de lecture"),
    (requests.exceptions.ConnectionError("Connection refused"), "Connexion impossible"),
])
def test_a_timeout_or_refused_connection_is_recorded_and_retried(overdue_ticket, hooks, fault, error):
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, body=fault)

    result = run_overdue_scan(now=NOW)
    assert not result.ok
    [record] = WebhookNotification.objects.all()
    assert not record.succeeded and record.error.startswith(error) and record.response_status is None

    hooks.replace(responses.POST, HOOK_URL, json={}, status=200)
    result = run_overdue_scan(now=NOW + timedelta(minutes=5))
    assert result.ok and len(result.sent) == 1
    assert WebhookNotification.objects.filter(succeeded=True, attempt=2).count() == 1


def test_a_run_killed_mid_delivery_leaves_the_alert_to_the_next_run_after_the_claim_expires(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks)
    # A run created the alert row and claimed it, then died before sending.
    endpoint = services.destinations()[0]
    alert = OverdueAlert.objects.create(ticket=ticket, endpoint=endpoint, next_attempt_at=NOW)
    claim_alert(ticket_id=ticket.pk, endpoint_id=endpoint.pk, now=NOW, at=NOW)

    run_overdue_scan(now=NOW + timedelta(minutes=4))
    assert len(hooks.calls) == 0, "the claim is still alive: the dying run might still send"

    run_overdue_scan(now=NOW + timedelta(minutes=6))
    assert len(hooks.calls) == 1
    assert posted(hooks)[0]["notification_id"] == str(alert.notification_id)


def test_a_run_stops_starting_deliveries_when_its_time_budget_is_spent(overdue_ticket, hooks, monkeypatch,
                                                                        settings):
    settings.OVERDUE_RUN_BUDGET_SECONDS = 20
    for _ in range(5):
        overdue_ticket()
    fake_clock = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: fake_clock[0])

    def slow_receiver(request):
        fake_clock[0] += 8  # Each delivery "takes" 8 s.
        return 200, {}, "{}"

    hooks.add_callback(responses.POST, HOOK_URL, callback=slow_receiver)
    result = run_overdue_scan(now=NOW)

    assert len(hooks.calls) == 3  # Started at 0, 8 and 16 s; not at 24 s.
    assert result.remaining == 2
    assert result.as_json()["remaining"] == 2
    assert ScanRun.objects.get().remaining == 2

    fake_clock[0] += 300
    result = run_overdue_scan(now=NOW + timedelta(minutes=5))
    assert len(hooks.calls) == 5 and result.remaining == 0


def test_a_dry_run_sends_and_records_nothing(overdue_ticket, hooks):
    overdue_ticket()
    overdue_ticket()

    result = run_overdue_scan(now=NOW, dry_run=True)

    assert len(hooks.calls) == 0
    assert result.total_overdue == 2 and len(result.deliveries) == 2
    assert not WebhookNotification.objects.exists()
    assert not OverdueAlert.objects.exists()
    assert not ScanRun.objects.exists()
    assert not WebhookEndpoint.objects.exists()


def test_every_run_is_recorded_with_its_counts(overdue_ticket, hooks):
    overdue_ticket()
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=200)
    hooks.add(responses.POST, HOOK_URL, status=500)

    run_overdue_scan(now=NOW, trigger=ScanRun.Trigger.CRONTAB)

    run = ScanRun.objects.get()
    assert (run.trigger, run.total_overdue, run.due, run.sent, run.failed) == ("crontab", 2, 2, 1, 1)
    assert run.started_at == NOW and run.finished_at >= NOW


def test_the_environment_destination_needs_no_admin_setup_and_follows_the_settings(overdue_ticket, hooks, settings):
    overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.managed_by_settings and endpoint.url == HOOK_URL

    settings.OVERDUE_WEBHOOK_URL = ""
    run_overdue_scan(now=NOW + timedelta(days=2))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert len(hooks.calls) == 1


def test_an_inactive_destination_gets_nothing(overdue_ticket, hooks, settings):
    settings.OVERDUE_WEBHOOK_URL = ""
    overdue_ticket()
    WebhookEndpoint.objects.create(name="Ancien", url="http://old.igp.test/", is_active=False)

    result = run_overdue_scan(now=NOW)

    assert result.total_overdue == 1 and result.deliveries == []
    assert len(hooks.calls) == 0


def test_each_destination_has_its_own_24_hour_window(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)
    teams = WebhookEndpoint.objects.create(name="Teams", url="http://teams.igp.test/hook", spacing_ms=0)
    hook_ok(hooks, url=teams.url)

    run_overdue_scan(now=NOW + timedelta(hours=1))

    assert [c.request.url for c in hooks.calls] == [HOOK_URL, teams.url]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_deliveries_to_a_spaced_destination_are_at_least_its_spacing_apart(overdue_ticket, hooks, monkeypatch,
                                                                           settings, concurrency):
    settings.WEBHOOK_SPACING_MS = 200
    settings.WEBHOOK_MAX_CONCURRENCY = concurrency
    for _ in range(3):
        overdue_ticket()
    fake_clock = [0.0]
    starts = []
    monkeypatch.setattr(services, "monotonic", lambda: fake_clock[0])
    monkeypatch.setattr(services, "sleep", lambda seconds: fake_clock.__setitem__(0, fake_clock[0] + seconds))

    def receiver(request):
        starts.append(fake_clock[0])
        fake_clock[0] += 0.05
        return 200, {}, "{}"

    hooks.add_callback(responses.POST, HOOK_URL, callback=receiver)
    run_overdue_scan(now=NOW)

    assert len(starts) == 3
    assert all(b - a >= 0.2 - 1e-9 for a, b in zip(starts, starts[1:], strict=False))


def test_concurrent_deliveries_to_an_unspaced_destination_all_arrive_once(overdue_ticket, settings, receiver):
    settings.WEBHOOK_MAX_CONCURRENCY = 4
    tickets = [overdue_ticket() for _ in range(10)]

    result = run_overdue_scan(now=NOW)

    assert len(result.sent) == 10
    assert sorted(r["body"]["ticket_id"] for r in receiver.received) == sorted(t.ticket_id for t in tickets)


def test_a_failed_alert_of_a_ticket_no_longer_overdue_is_forgotten(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    run_overdue_scan(now=NOW)
    ticket.status = "in_progress"
    ticket.save()

    run_overdue_scan(now=NOW + timedelta(minutes=5))

    assert not OverdueAlert.objects.exists()
    assert WebhookNotification.objects.count() == 1, "the history stays"


def test_selecting_due_alerts_takes_the_same_queries_for_3_or_30_tickets(overdue_ticket, django_assert_num_queries,
                                                                         make_ticket):
    endpoints = services.destinations()
    for _ in range(3):
        overdue_ticket()
    with django_assert_num_queries(2):
        select_due(now=NOW, endpoints=endpoints)
    for _ in range(27):
        overdue_ticket()
        make_ticket()  # Not overdue.
    with django_assert_num_queries(2):
        _tickets, due = select_due(now=NOW, endpoints=endpoints)
    assert len(due) == 30
