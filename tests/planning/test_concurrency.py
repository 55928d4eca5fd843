"""Eight `check_overdue` processes started together create each due occurrence's ticket exactly once.
Real processes; SQLite here, PostgreSQL with DATABASE_URL (bin/test runs both)."""
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings

from notifications.models import Kind, Notification
from planning.models import ChecklistItem, Occurrence, Plan
from tests.conftest import NOW
from tests.notifications.conftest import process_env
from tickets.models import Ticket, TimelineEntry

RUNS = 8
PLANS = 40


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_scan_processes_at_once_create_each_occurrence_once(machine, machine2, supervisor, technician):
    plans = Plan.objects.bulk_create(
        Plan(machine=machine if i % 2 else machine2, title=f"Plan {i}", checklist=["Graisser", "Serrer"],
             assigned_to=technician, start_date=date(2025, 11, 13), every=1, unit=Plan.Unit.MONTHS,
             created_by=supervisor, next_date=date(2025, 11, 13), generate_from=NOW - timedelta(days=1))
        for i in range(PLANS)
    )
    # A loaded CI machine must not stop a run at PLANNING_SCAN_SECONDS: here every run may do it all.
    env = process_env(OVERDUE_WEBHOOK_URL="", NOTIFICATIONS_DELIVER_ON_COMMIT=False, PLANNING_SCAN_SECONDS=120)
    # The processes run at the real clock: every plan's generate_from is in the past either way.
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "check_overdue", "--trigger", "crontab"],
                         cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(RUNS)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0] * RUNS, [err[-2000:] for _out, err in outputs]
    assert Occurrence.objects.count() == PLANS, list(Plan.objects.exclude(last_error="").values_list("last_error"))
    assert Ticket.objects.count() == PLANS
    assert Occurrence.objects.filter(ticket__isnull=True).count() == 0
    assert ChecklistItem.objects.count() == 2 * PLANS
    per_ticket = Counter(TimelineEntry.objects.filter(action=TimelineEntry.Action.CREATED)
                         .values_list("ticket_id", flat=True))
    assert set(per_ticket.values()) == {1}
    assert Notification.objects.filter(kind=Kind.TICKET_ASSIGNED).count() == PLANS
    # Every plan moved on by one month from the one date its ticket was made for (the real clock decides which).
    assert len(set(Plan.objects.order_by().values_list("next_date", flat=True))) == 1
    assert len(set(Occurrence.objects.order_by().values_list("date", flat=True))) == 1
    assert {p.pk for p in plans} == set(Occurrence.objects.values_list("plan_id", flat=True))
