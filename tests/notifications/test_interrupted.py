"""A killed run leaves no send "in progress" for hours: once its claims have
expired, the next run marks its "Envoi en cours" rows and its unfinished record
as interrupted (and sends the alert again, with the same id)."""
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications.models import OverdueAlert, ScanRun, WebhookEndpoint, WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import process_env


@pytest.mark.django_db
def test_a_dead_runs_sending_rows_and_record_are_marked_interrupted_once_its_claims_expired(overdue_ticket, hooks):
    ticket = overdue_ticket()
    endpoint = WebhookEndpoint.objects.create(name="Pabbly", url="http://pabbly.igp.test/hook", is_active=False)
    sending = WebhookNotification.objects.create(ticket=ticket, endpoint=endpoint, sent_at=NOW,
                                                 error=WebhookNotification.SENDING)
    dead = ScanRun.objects.create(trigger="crontab", started_at=NOW)
    finished = ScanRun.objects.create(trigger="crontab", started_at=NOW, finished_at=NOW + timedelta(seconds=3))

    run_overdue_scan(now=NOW + timedelta(minutes=4))  # TTL 300 s: that run may still be alive.
    sending.refresh_from_db()
    dead.refresh_from_db()
    assert sending.error == WebhookNotification.SENDING and not dead.interrupted

    run_overdue_scan(now=NOW + timedelta(minutes=6))
    sending.refresh_from_db()
    dead.refresh_from_db()
    finished.refresh_from_db()
    assert sending.error == "Interrompu (envoi non terminé)"
    assert not sending.succeeded
    assert dead.interrupted and dead.finished_at is None
    assert not finished.interrupted


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_send_is_closed_by_the_next_run_which_sends_the_same_alert(
    raw_receiver, receiver, overdue_ticket, settings
):
    ticket = overdue_ticket()
    silent = raw_receiver(lambda conn, stop: stop.wait(60))
    settings.OVERDUE_WEBHOOK_URL = silent.url
    process = subprocess.Popen(
        [sys.executable, "manage.py", "check_overdue", "--trigger", "crontab"], cwd=django_settings.BASE_DIR,
        env=process_env(OVERDUE_WEBHOOK_URL=silent.url, WEBHOOK_TOTAL_TIMEOUT=60, WEBHOOK_READ_TIMEOUT=60,
                        WEBHOOK_SPACING_MS=0),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not silent.connections and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert silent.connections, process.stderr.read().decode() if process.poll() is not None else "no post"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    [record] = WebhookNotification.objects.all()
    assert record.error == WebhookNotification.SENDING  # What the history showed for hours before.
    killed_id = OverdueAlert.objects.get().notification_id

    later = timezone.now() + timedelta(seconds=django_settings.OVERDUE_CLAIM_TTL_SECONDS + 1)
    settings.OVERDUE_WEBHOOK_URL = receiver.url  # The same destination row, now answering.
    result = run_overdue_scan(now=later)

    record.refresh_from_db()
    assert record.error == "Interrompu (envoi non terminé)"
    assert ScanRun.objects.get(started_at__lt=later).interrupted
    assert [d.ticket.pk for d in result.sent] == [ticket.pk]
    assert receiver.delivered_ids() == [str(killed_id)]
