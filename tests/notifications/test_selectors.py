"""`alert_history`, which the ticket page shows to supervisors."""
from datetime import timedelta

import pytest
import responses

from notifications.selectors import alert_history
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import HOOK_URL

pytestmark = pytest.mark.django_db


def test_alert_history_lists_a_tickets_attempts_newest_first(overdue_ticket, hooks, django_assert_num_queries):
    ticket = overdue_ticket()
    overdue_ticket()  # Another ticket's alerts stay out.
    hooks.add(responses.POST, HOOK_URL, status=500)
    run_overdue_scan(now=NOW)
    hooks.replace(responses.POST, HOOK_URL, body="ok", status=200)
    run_overdue_scan(now=NOW + timedelta(minutes=5))

    with django_assert_num_queries(1):
        rows = alert_history(ticket)

    assert [(r.attempt, r.succeeded, r.response_status, r.error) for r in rows] == [
        (2, True, 200, ""), (1, False, 500, "Code HTTP 500 reçu")]
    assert rows[0].sent_at > rows[1].sent_at
    assert rows[0].webhook_url == HOOK_URL
    assert rows[0].notification_id == rows[1].notification_id


def test_alert_history_stops_at_its_limit(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    for hours in range(5):
        run_overdue_scan(now=NOW + timedelta(hours=hours))
    assert len(alert_history(ticket, limit=3)) == 3
