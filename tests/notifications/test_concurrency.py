"""Two runs at once (crontab and cron-job.org overlapping, or several app servers)
never send the same alert twice. Runs on SQLite (WAL, IMMEDIATE) and PostgreSQL."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from notifications.models import ScanRun, WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import bulk_overdue_tickets


@pytest.mark.django_db(transaction=True)
def test_eight_runs_started_at_the_same_moment_deliver_each_of_200_alerts_exactly_once(
    receiver, settings, machine, supervisor, technician
):
    settings.WEBHOOK_MAX_CONCURRENCY = 4
    tickets = bulk_overdue_tickets(200, machine=machine, reporter=supervisor, assigned_to=technician)
    start = threading.Barrier(8)

    def one_run(_):
        try:
            start.wait()
            return run_overdue_scan(now=NOW, trigger=ScanRun.Trigger.HTTP)
        finally:
            connection.close()  # Each thread had its own connection.

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one_run, range(8)))

    delivered = receiver.delivered_ids()
    failures = [d.error for r in results for d in r.failed]
    assert failures == []
    assert len(delivered) == 200
    assert len(set(delivered)) == 200
    assert {r["body"]["ticket_id"] for r in receiver.received} == {t.ticket_id for t in tickets}
    assert sum(len(r.sent) for r in results) == 200
    assert sum(1 for r in results if r.sent) > 1, "the runs really overlapped"
    assert all(r.total_overdue == 200 for r in results)
    assert WebhookNotification.objects.count() == 200
    assert ScanRun.objects.count() == 8
