"""The due-soon webhook: the destinations that receive the overdue alerts (Pabbly, Zapier, Make, n8n) also hear
that a preventive ticket's date is near, once per date, as a new `notification_type` ("due_soon"), through the
same claim, history and retries as the overdue alert — a real receiver on 127.0.0.1. The overdue payload and the
cron answer do not change."""
from datetime import date, timedelta

import pytest

from notifications.models import DueSoonAlert, WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW
from tests.notifications.conftest import receiver  # noqa: F401 — the fixture
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_by_one(settings):
    settings.WEBHOOK_SPACING_MS = 0
    settings.WEBHOOK_MAX_CONCURRENCY = 1
    settings.OVERDUE_RETRY_DELAYS_MINUTES = [5, 15, 60]
    settings.SITE_URL = "https://maintenance.igp.test"


def header(post, name):
    return next(v for k, v in post["headers"].items() if k.lower() == name)


def test_the_destination_hears_once_that_a_preventive_ticket_is_due_soon(make_plan, receiver):  # noqa: F811
    make_plan(start_date=date(2025, 11, 13))  # Tomorrow 08:00: within the plan's 24 h.

    first = run_overdue_scan(now=NOW)
    again = run_overdue_scan(now=NOW + timedelta(minutes=5))

    [post] = receiver.received
    body, ticket = post["body"], Ticket.objects.get()
    assert body["notification_type"] == "due_soon"
    assert (body["ticket_id"], body["title"], body["plan"]) == (ticket.ticket_id, ticket.title,
                                                                 "Graissage trimestriel")
    assert body["assigned_to"] == "Jean Technicien" and body["ticket_url"].endswith(ticket.get_absolute_url())
    assert (body["due_in_days"], body["due_in_hours"]) == (0, 22) and body["due_in_minutes"] in (33, 34)
    assert body["due_text"] == f"22h {body['due_in_minutes']}min"  # The same form as overdue_text.
    assert not any(key.startswith("overdue_") for key in body)
    assert header(post, "webhook-id") == body["notification_id"]
    row = WebhookNotification.objects.get()
    assert (row.notification_type, row.succeeded, row.ticket_number) == ("due_soon", True, ticket.ticket_id)
    # The cron answer is the overdue alerts' alone, as the seed's.
    assert (first.as_json()["total_overdue"], first.as_json()["notifications_sent"]) == (0, 0)
    assert (first.due_soon.sent, again.due_soon.sent) == (1, 0)


def test_a_receiver_that_fails_gets_it_again_after_five_minutes_with_the_same_id(make_plan, receiver):  # noqa: F811
    make_plan(start_date=date(2025, 11, 13))
    receiver.status = 500
    failed = run_overdue_scan(now=NOW)
    receiver.status = 200
    run_overdue_scan(now=NOW + timedelta(minutes=2))  # Not yet: the retry is at +5 min.
    run_overdue_scan(now=NOW + timedelta(minutes=5))

    assert [r["status"] for r in receiver.received] == [500, 200]
    first, second = (r["body"]["notification_id"] for r in receiver.received)
    assert first == second and failed.due_soon.failed == 1
    assert DueSoonAlert.objects.get().delivered_at is not None
    assert list(WebhookNotification.objects.order_by("attempt").values_list("attempt", "succeeded")) == [
        (1, False), (2, True)]


def test_a_rescheduled_ticket_is_announced_again_and_a_started_one_is_not(make_plan, receiver, supervisor,  # noqa: F811
                                                                          technician):
    make_plan(start_date=date(2025, 11, 13))
    run_overdue_scan(now=NOW)
    ticket = Ticket.objects.get()
    new_date = NOW + timedelta(hours=10)
    ticket_services.ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=new_date, now=NOW)
    run_overdue_scan(now=NOW + timedelta(minutes=5))

    dates = [r["body"]["scheduled_date"] for r in receiver.received]
    assert len(dates) == 2 and dates[0] != dates[1]

    ticket_services.ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=NOW + timedelta(hours=12),
                                    now=NOW)
    ticket.refresh_from_db()
    ticket_services.ticket_move(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, by=technician, now=NOW)
    run_overdue_scan(now=NOW + timedelta(minutes=10))

    assert len(receiver.received) == 2  # Work has started: no "due soon" for it.
