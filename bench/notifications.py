"""Benchmark of the notifications to people: fan-out and e-mail delivery to --people recipients.

    DATABASE_URL=sqlite:////tmp/igp-bench-notify.sqlite3 .venv/bin/python bench/notifications.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench_notify .venv/bin/python bench/notifications.py

Fills a *separate* database (refuses the development one) with --people technicians who want e-mail for
assignments, starts an SMTP stand-in (aiosmtpd) on 127.0.0.1 that takes --smtp-ms to accept each message, then:

1. fan-out: one event to every person (`fanout.notify`): time and SQL queries, at 10 and at --people
   recipients (the queries must not grow, bar SQLite's INSERT batches);
2. delivery: `deliver_people` (the scan's claim, record-before-send, dispatcher) with EMAIL_MAX_CONCURRENCY
   connections; compared with the floor set by the stand-in: people × latency ÷ concurrency.

The push channel is measured the same way once its transport and stand-in are merged.
"""
import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igp_maintenance.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-notify.sqlite3")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from notifications.fanout import notify, ticket_params  # noqa: E402
from notifications.models import Channel, Delivery, Kind, Notification, NotificationPreference  # noqa: E402
from notifications.services import deliver_people  # noqa: E402
from tickets.models import Machine, Ticket  # noqa: E402

STAND_IN = """
import asyncio, sys, time
from aiosmtpd.controller import Controller
latency, port = float(sys.argv[1]), int(sys.argv[2])
class Handler:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(latency)
        Handler.count += 1
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
sys.stdin.read()  # Until the benchmark closes our stdin.
print(Handler.count, flush=True)
controller.stop()
"""


class SmtpStandIn:
    """An SMTP server in its own process (as a real one would be: it does not share our GIL)."""

    def __init__(self, latency, port):
        self.process = subprocess.Popen([sys.executable, "-c", STAND_IN, str(latency), str(port)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self):
        """Messages received."""
        out, _err = self.process.communicate("", timeout=30)
        return int(out.strip() or 0)


@contextmanager
def counting_queries():
    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--smtp-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=18390)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    NotificationPreference.objects.all().delete()
    Ticket.objects.filter(ticket_id__startswith="IGP-NOTIFY-").delete()
    User.objects.filter(email__startswith="bench-notify-").delete()

    stand_in = SmtpStandIn(args.smtp_ms / 1000, args.port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", args.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_MAX_CONCURRENCY = settings.WEBHOOK_MAX_CONCURRENCY = args.concurrency
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    settings.OVERDUE_RUN_BUDGET_SECONDS = 3600

    reporter = User.objects.create(email="bench-notify-reporter@igp.test", role=Role.SUPERVISOR)
    people = User.objects.bulk_create(
        User(email=f"bench-notify-{i:05d}@igp.test", first_name="Tech", last_name=f"{i}", role=Role.TECHNICIAN)
        for i in range(args.people)
    )
    people = list(User.objects.filter(email__startswith="bench-notify-", role=Role.TECHNICIAN))
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, choices={f"{Kind.TICKET_ASSIGNED}:{Channel.EMAIL}": True}) for u in people)
    machine = Machine.objects.first() or Machine.objects.create(machine_type="Banc", model="Essai")
    tickets = [Ticket.objects.create(ticket_id=f"IGP-NOTIFY-{i}", title="Banc d'essai", machine=machine,
                                     reporter=reporter) for i in range(2)]
    now = timezone.now()

    print("\n## Fan-out: one event to N people (`notify`)")
    print("| people | SQL queries | seconds |")
    print("|---:|---:|---:|")
    for ticket, group in ((tickets[0], people[:10]), (tickets[1], people)):
        started = time.perf_counter()
        with counting_queries() as queries:
            notify(Kind.TICKET_ASSIGNED, recipients=group, ticket=ticket, params=ticket_params(ticket),
                   key=f"bench:{ticket.pk}", now=now)
        print(f"| {len(group):,} | {queries['n']} | {time.perf_counter() - started:.2f} |")
    Delivery.objects.filter(person_notification__ticket=tickets[0]).delete()

    print(f"\n## Delivery: {len(people):,} e-mails, stand-in {args.smtp_ms} ms, {args.concurrency} connections")
    started = time.perf_counter()
    with counting_queries() as queries:
        tally = deliver_people(now=now, notification_ids=list(
            Notification.objects.filter(ticket=tickets[1]).values_list("pk", flat=True)))
    elapsed = time.perf_counter() - started
    floor = len(people) * args.smtp_ms / 1000 / args.concurrency
    received = stand_in.stop()
    print("| sent | failed | received | SQL queries | seconds | floor (n × latency ÷ concurrency) | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {tally.sent:,} | {tally.failed + tally.given_up} | {received:,} | {queries['n']:,} "
          f"| {elapsed:.2f} | {floor:.2f} | {elapsed / floor:.2f}× |")


if __name__ == "__main__":
    main()
