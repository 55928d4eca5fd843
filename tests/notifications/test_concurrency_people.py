"""Eight `check_overdue` processes started together (crontab, cron-job.org and a sysadmin at once, on
several hosts) deliver each (event, recipient, channel) exactly once, and the webhook alerts too.
Real processes, a real SMTP server, the push-service stand-in (VAPID checked, payloads decrypted);
SQLite here, PostgreSQL with DATABASE_URL (bin/test runs both)."""
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from notifications import push
from notifications.models import Channel, Delivery, DeliveryAttempt, Notification
from tests.conftest import NOW
from tickets.models import Ticket

from .conftest import SCHEDULED, bulk_overdue_tickets, process_env

RUNS = 8


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_eight_scan_processes_at_once_send_each_email_push_and_webhook_exactly_once(
    smtp, receiver, vapid, push_service, settings, machine, supervisor, technician, technician2, admin_user
):
    smtp.delay = 0.05  # Each e-mail takes a little while: the runs overlap for seconds.
    for person in (technician, technician2):  # One phone each; the admin has none (e-mail only).
        push.subscribe(user=person, data=push_service.new_subscription(vapid), user_agent="Android", now=NOW)
    mine = bulk_overdue_tickets(10, machine=machine, reporter=supervisor, assigned_to=technician)
    team = Ticket.objects.bulk_create(
        Ticket(ticket_id=f"IGP-TEAM-{i:05d}", title=f"Équipe {i}", machine=machine, reporter=supervisor,
               assigned_to_team=True, scheduled_date=SCHEDULED, created_at=NOW - timedelta(days=3))
        for i in range(10)
    )
    # Jean's tickets: Jean + the digest admin; the team's: Jean, Pierre + the admin.
    expected = len(mine) * 2 + len(team) * 3
    # Pushes: Jean's phone for his tickets and the team's, Pierre's for the team's.
    pushes = len(mine) + len(team) * 2
    env = process_env(EMAIL_URL=smtp.url, OVERDUE_WEBHOOK_URL=receiver.url, WEBHOOK_SPACING_MS=0,
                      WEBHOOK_MAX_CONCURRENCY=4, EMAIL_MAX_CONCURRENCY=2, OVERDUE_RUN_BUDGET_SECONDS=20,
                      NOTIFICATIONS_DELIVER_ON_COMMIT=False, VAPID_PUBLIC_KEY=settings.VAPID_PUBLIC_KEY,
                      VAPID_PRIVATE_KEY=settings.VAPID_PRIVATE_KEY, VAPID_SUBJECT=settings.VAPID_SUBJECT,
                      WEBPUSH_ENDPOINT_HOSTS="127.0.0.1", WEBPUSH_ALLOW_HTTP=True,
                      # Small batches: a run claims 5 rows at a time, so the eight take turns on the same
                      # rows (the race this test is for) instead of the first one claiming everything ahead.
                      NOTIFICATIONS_BATCH_SIZE=5)
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "check_overdue", "--trigger", "crontab", "-v", "2"],
                         cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(RUNS)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]

    assert [p.returncode for p in processes] == [0] * RUNS, [err[-2000:] for _out, err in outputs]
    messages = smtp.received()
    ids = [m["Message-ID"] for m in messages]
    assert len(ids) == expected and len(set(ids)) == expected
    per_person = Counter((m["To"], m["Subject"]) for m in messages)
    assert set(per_person.values()) == {1}
    assert Notification.objects.count() == expected
    payload_ids = [p["id"] for p in push_service.payloads()]
    assert len(payload_ids) == len(set(payload_ids)) == pushes, "each push once, each decrypted"
    assert push_service.rejected == [], "every VAPID token was valid"
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    assert sent.filter(channel=Channel.EMAIL).count() == expected
    assert sent.filter(channel=Channel.PUSH).count() == pushes
    assert DeliveryAttempt.objects.count() == expected + pushes, "no attempt was made twice"
    webhook_ids = receiver.delivered_ids()
    assert len(webhook_ids) == len(set(webhook_ids)) == len(mine) + len(team)
    senders = [out for out, _err in outputs if "réussi(s)" in out and " 0 réussi(s)" not in out]
    assert len(senders) > 1, "the runs really overlapped"
