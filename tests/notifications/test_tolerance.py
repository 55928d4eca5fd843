"""A retry or a 24 h window that falls due during a run's start-up is taken by that run.

The run's instant is read ~0.5 s after the process starts; without the
tolerance (OVERDUE_DUE_TOLERANCE_SECONDS) a retry due "in 5 minutes" waited
for the next-but-one run (10 minutes) and the daily re-alert came at 24 h 05.
"""
from datetime import timedelta

import pytest
import responses
import time_machine
from django.core.management import call_command

from notifications.models import WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import HOOK_URL, hook_ok

pytestmark = pytest.mark.django_db

EARLY = timedelta(seconds=0.5)  # A run whose cron fired a little before the previous one's time + period.
LATE = timedelta(seconds=0.6)  # A run whose instant was read after a slow start-up.


def failed_once(overdue_ticket, hooks):
    """An alert that failed at NOW: its retry is due at NOW + 5 min."""
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    run_overdue_scan(now=NOW)
    hooks.replace(responses.POST, HOOK_URL, json={"status": "success"}, status=200)


@pytest.mark.parametrize("offset", [-EARLY, LATE], ids=["jitter-early", "slow-start"])
def test_a_retry_due_in_five_minutes_is_taken_by_the_run_five_minutes_later(overdue_ticket, hooks, offset):
    failed_once(overdue_ticket, hooks)

    with time_machine.travel(NOW + timedelta(minutes=5) + offset, tick=False):
        call_command("check_overdue", "--trigger", "crontab")

    assert [r.attempt for r in WebhookNotification.objects.filter(succeeded=True)] == [2]


def test_a_run_a_minute_early_does_not_retry_yet(overdue_ticket, hooks):
    failed_once(overdue_ticket, hooks)

    result = run_overdue_scan(now=NOW + timedelta(minutes=4))

    assert result.due == 0
    assert WebhookNotification.objects.count() == 1


@pytest.mark.parametrize("offset", [-EARLY, LATE], ids=["jitter-early", "slow-start"])
def test_the_daily_re_alert_goes_out_with_the_run_at_24_hours_not_the_next_one(overdue_ticket, hooks, offset):
    overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)

    with time_machine.travel(NOW + timedelta(hours=24) + offset, tick=False):
        call_command("check_overdue", "--trigger", "crontab")

    assert WebhookNotification.objects.filter(succeeded=True).count() == 2


def test_the_window_is_not_shortened_by_more_than_the_tolerance(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)
    run_overdue_scan(now=NOW)

    result = run_overdue_scan(now=NOW + timedelta(hours=24) - timedelta(minutes=1))

    assert result.due == 0
    assert len(hooks.calls) == 1


def test_the_tolerance_does_not_change_which_tickets_are_overdue(overdue_ticket, hooks):
    overdue_ticket(scheduled_date=NOW + timedelta(seconds=10))  # Overdue in 10 s, within the tolerance.
    hook_ok(hooks)

    result = run_overdue_scan(now=NOW)

    assert (result.total_overdue, result.due) == (0, 0)
    assert len(hooks.calls) == 0
