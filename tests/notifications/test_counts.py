"""A run's counts add up, also when overlapping runs took the alerts first:
due = sent + failed + remaining + held."""
from datetime import timedelta

import pytest
import responses
import time_machine
from django.core.management import call_command

from notifications import services
from notifications.models import OverdueAlert, ScanRun
from notifications.services import claim_alert, destinations, run_overdue_scan
from tests.conftest import NOW

from .conftest import CRON_SECRET, HOOK_URL, hook_ok

pytestmark = pytest.mark.django_db


def claim_as_another_run(ticket):
    endpoint = destinations()[0]
    OverdueAlert.objects.get_or_create(ticket=ticket, endpoint=endpoint, defaults={"next_attempt_at": NOW})
    alert, _token = claim_alert(ticket_id=ticket.pk, endpoint_id=endpoint.pk, now=NOW, at=NOW)
    assert alert is not None


def assert_adds_up(run):
    assert run.due == run.sent + run.failed + run.remaining + run.held


def test_alerts_another_run_is_sending_are_counted_as_held_not_lost(overdue_ticket, hooks):
    tickets = [overdue_ticket(), overdue_ticket(), overdue_ticket()]
    claim_as_another_run(tickets[0])
    hook_ok(hooks)

    result = run_overdue_scan(now=NOW + timedelta(seconds=1))

    run = ScanRun.objects.get()
    assert (run.due, run.sent, run.failed, run.remaining, run.held) == (3, 2, 0, 0, 1)
    assert result.held == 1
    assert_adds_up(run)


def test_a_run_that_could_claim_nothing_says_the_others_held_everything(overdue_ticket, hooks):
    for _ in range(3):
        claim_as_another_run(overdue_ticket())

    run_overdue_scan(now=NOW + timedelta(seconds=1))

    run = ScanRun.objects.get()
    assert (run.due, run.sent, run.held) == (3, 0, 3)
    assert_adds_up(run)
    assert len(hooks.calls) == 0


def test_failures_and_the_budget_are_in_the_sum_too(overdue_ticket, hooks, settings, monkeypatch):
    for _ in range(4):
        overdue_ticket()
    fake_clock = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: fake_clock[0])

    def slow_failure(request):
        fake_clock[0] += 8  # Each attempt "takes" 8 s of the 20 s budget.
        return 500, {}, "{}"

    hooks.add_callback(responses.POST, HOOK_URL, callback=slow_failure)

    run_overdue_scan(now=NOW)

    run = ScanRun.objects.get()
    assert (run.due, run.failed, run.remaining) == (4, 3, 1)
    assert_adds_up(run)


def test_the_verbose_command_summary_says_how_many_another_run_held(overdue_ticket, hooks, capsys):
    claim_as_another_run(overdue_ticket())
    overdue_ticket()
    hook_ok(hooks)

    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        call_command("check_overdue", "--trigger", "crontab", verbosity=2)

    assert "1 prise(s) par une autre vérification en cours" in capsys.readouterr().out


def test_the_cron_answer_keeps_its_shape_when_alerts_are_held(overdue_ticket, hooks, client):
    claim_as_another_run(overdue_ticket())

    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        answer = client.post("/api/cron/check-overdue", HTTP_AUTHORIZATION=f"Bearer {CRON_SECRET}").json()

    assert set(answer) == {"message", "total_overdue", "notifications_sent", "notifications", "checked_at"}
