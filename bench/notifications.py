"""Benchmark of the notifications to people: fan-out and delivery on two channels (e-mail and Web Push)
to --people recipients.

    DATABASE_URL=sqlite:////tmp/igp-bench-notify.sqlite3 .venv/bin/python bench/notifications.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench_notify .venv/bin/python bench/notifications.py

Fills a *separate* database (refuses the development one) with --people technicians who want e-mail for
assignments, starts an SMTP stand-in (aiosmtpd) on 127.0.0.1 that takes --smtp-ms to accept each message, then:

1. fan-out: one event to every person (`fanout.notify`): time and SQL queries, at 10 and at --people
   recipients (the queries must not grow, bar SQLite's INSERT batches);
2. delivery: `deliver_people` (the scan's claim, record-before-send, dispatcher) of every e-mail and every push
   (one device per person, on the push-service stand-in of tests/notifications/pushservice.py, which checks the
   VAPID token and decrypts each payload; in its own process, taking --push-ms per push), compared with the floor
   set by the stand-ins: the larger of e-mails × SMTP latency ÷ EMAIL_MAX_CONCURRENCY and pushes × push latency ÷
   the concurrency left to push (the two channels run side by side within WEBHOOK_MAX_CONCURRENCY).

Run it at two latencies: at 20 ms the run is bound by our own database work per delivery (claim, attempt row,
outcome), at 100 ms (a real SMTP relay or push service answers in 50-300 ms) by the receivers.
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
# Measured as in production: with DEBUG on, Django also formats every SQL statement for its query log.
os.environ.setdefault("DEBUG", "False")

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
import os
print(Handler.count, sum(os.times()[:2]), flush=True)
controller.stop()
"""


PUSH_STAND_IN = """
import json, sys
sys.path.insert(0, sys.argv[4])
from tests.notifications.pushservice import PushServiceStandIn
latency, count, key = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
service = PushServiceStandIn()
service.keep_alive = True  # As a real push service: the connections are kept (the tests' stand-in closes each).
service.start()
service.hang(latency)  # Each push is answered after `latency` (the event stays unset).
print(json.dumps([service.new_subscription(key) for _ in range(count)]), flush=True)
sys.stdin.read()
import os
print(len(service.received), len(service.rejected), sum(os.times()[:2]), flush=True)
"""


class PushStandIn:
    """The push-service stand-in in its own process; `subscriptions` are the devices it made."""

    def __init__(self, latency, count, public_key):
        import json

        self.process = subprocess.Popen([sys.executable, "-c", PUSH_STAND_IN, str(latency), str(count), public_key,
                                         str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.subscriptions = json.loads(self.process.stdout.readline())

    def stop(self):
        """(pushes received and decrypted, requests refused for their VAPID token)."""
        out, _err = self.process.communicate("", timeout=60)
        received, rejected, cpu = out.split()
        self.cpu = float(cpu)
        return int(received), int(rejected)


class SmtpStandIn:
    """An SMTP server in its own process (as a real one would be: it does not share our GIL)."""

    def __init__(self, latency, port):
        self.process = subprocess.Popen([sys.executable, "-c", STAND_IN, str(latency), str(port)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self):
        """Messages received."""
        out, _err = self.process.communicate("", timeout=30)
        received, cpu = out.split()
        self.cpu = float(cpu)
        return int(received)


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
    parser.add_argument("--push-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help="SMTP connections (EMAIL_MAX_CONCURRENCY)")
    parser.add_argument("--total-concurrency", type=int, default=8,
                        help="all sends in flight (WEBHOOK_MAX_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=18390)
    parser.add_argument("--only", choices=("email", "push"), help="deliver one channel alone (diagnosis)")
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
    settings.EMAIL_MAX_CONCURRENCY = args.concurrency
    settings.WEBHOOK_MAX_CONCURRENCY = args.total_concurrency
    from notifications.management.commands.generate_vapid_keys import new_key_pair
    from notifications.models import PushSubscription

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_key_pair()
    settings.VAPID_SUBJECT = "mailto:bench@igp.test"
    settings.WEBPUSH_ENDPOINT_HOSTS, settings.WEBPUSH_ALLOW_HTTP = ["127.0.0.1"], True
    push_stand_in = PushStandIn(args.push_ms / 1000, args.people, settings.VAPID_PUBLIC_KEY)
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
    PushSubscription.objects.bulk_create(
        PushSubscription(user=u, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"], auth=info["keys"]["auth"])
        for u, info in zip(people, push_stand_in.subscriptions, strict=True))
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

    if args.only:
        Delivery.objects.filter(person_notification__ticket=tickets[1]).exclude(channel=args.only).delete()
    emails = Delivery.objects.filter(person_notification__ticket=tickets[1], channel=Channel.EMAIL).count()
    pushes = Delivery.objects.filter(person_notification__ticket=tickets[1], channel=Channel.PUSH).count()
    print(f"\n## Delivery: {emails:,} e-mails (stand-in {args.smtp_ms} ms, {args.concurrency} connections) and "
          f"{pushes:,} pushes (stand-in {args.push_ms} ms), {args.total_concurrency} sends in flight at most")
    started = time.perf_counter()
    cpu_started = time.process_time()
    with counting_queries() as queries:
        tally = deliver_people(now=now, notification_ids=list(
            Notification.objects.filter(ticket=tickets[1]).values_list("pk", flat=True)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    push_slots = max(1, args.total_concurrency - args.concurrency)
    if args.only == "push":
        push_slots = args.total_concurrency
    floor = max(emails * args.smtp_ms / 1000 / args.concurrency, pushes * args.push_ms / 1000 / push_slots)
    received = stand_in.stop()
    pushed, refused = push_stand_in.stop()
    print("| sent | failed | e-mails received | pushes decrypted | VAPID refused | SQL queries | seconds "
          "| floor | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {tally.sent:,} | {tally.failed + tally.given_up} | {received:,} | {pushed:,} | {refused} "
          f"| {queries['n']:,} | {elapsed:.2f} | {floor:.2f} | {elapsed / floor:.2f}× |")
    print(f"\nCPU seconds during the delivery: this process {cpu:.2f}; over their whole life, the SMTP stand-in "
          f"{stand_in.cpu:.2f}, the push stand-in {push_stand_in.cpu:.2f} (2 cores in all).")


if __name__ == "__main__":
    main()
