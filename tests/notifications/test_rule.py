"""The overdue rule at its edges, as the scan sees it."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.delivery import build_payload
from notifications.services import run_overdue_scan
from tests.conftest import NOW
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def overdue_count(now=NOW):
    return run_overdue_scan(now=now, dry_run=True).total_overdue


def test_a_ticket_is_not_overdue_at_its_scheduled_minute_exactly(overdue_ticket):
    overdue_ticket(scheduled_date=NOW)
    assert overdue_count() == 0


def test_a_ticket_is_overdue_one_minute_after_its_scheduled_minute(overdue_ticket):
    overdue_ticket(scheduled_date=NOW)
    assert overdue_count(NOW + timedelta(minutes=1)) == 1


def test_an_unassigned_ticket_is_never_overdue(overdue_ticket):
    overdue_ticket(assigned_to=None)
    assert overdue_count() == 0


def test_a_ticket_given_to_the_whole_team_is_overdue_and_says_so(overdue_ticket):
    ticket = overdue_ticket(assigned_to=None, assigned_to_team=True)
    assert overdue_count() == 1
    assert build_payload(ticket, notification_id="x", sent_at=NOW)["assigned_to"] == "Équipe complète"


def test_an_unscheduled_ticket_is_never_overdue(overdue_ticket):
    overdue_ticket(scheduled_date=None)
    assert overdue_count() == 0


@pytest.mark.parametrize("status, overdue", [
    (Ticket.Status.RECEIVED, True),
    (Ticket.Status.DIAGNOSTIC, True),
    (Ticket.Status.IN_PROGRESS, False),
    (Ticket.Status.WAITING_PARTS, False),
    (Ticket.Status.COMPLETED, False),
    (Ticket.Status.ARCHIVED, False),
])
def test_only_tickets_still_waiting_for_work_are_overdue(overdue_ticket, status, overdue):
    overdue_ticket(status=status)
    assert overdue_count() == int(overdue)


def test_the_delay_across_the_autumn_clock_change_counts_real_time_not_wall_time(overdue_ticket):
    factory = ZoneInfo("America/Toronto")
    # 2 Nov 2025: 01:30 happens twice. Scheduled at the first 01:30 (EDT), checked at the second 01:45 (EST).
    scheduled = datetime(2025, 11, 2, 1, 30, tzinfo=factory, fold=0)
    checked = datetime(2025, 11, 2, 1, 45, tzinfo=factory, fold=1)
    ticket = overdue_ticket(scheduled_date=scheduled)

    assert overdue_count(checked) == 1
    payload = build_payload(ticket, notification_id="x", sent_at=checked)
    assert payload["overdue_text"] == "1h 15min"
    assert payload["scheduled_date"] == "2025-11-02T01:30:00-04:00"
    assert payload["notification_sent_at"] == "2025-11-02T01:45:00.000-05:00"


def test_the_delay_across_the_spring_clock_change_counts_real_time(overdue_ticket):
    factory = ZoneInfo("America/Toronto")
    # 8 Mar 2026: clocks jump from 02:00 to 03:00.
    scheduled = datetime(2026, 3, 8, 1, 30, tzinfo=factory)
    checked = datetime(2026, 3, 8, 3, 30, tzinfo=factory)
    ticket = overdue_ticket(scheduled_date=scheduled)

    assert build_payload(ticket, notification_id="x", sent_at=checked)["overdue_text"] == "1h 0min"
