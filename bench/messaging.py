"""The conversation page with 10,000 messages, side by side with one of 30.

    DATABASE_URL=sqlite:////tmp/igp-bench-messaging.sqlite3 .venv/bin/python bench/messaging.py
    createdb igp_bench_messaging
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench_messaging .venv/bin/python bench/messaging.py

Fills a *separate* database (refuses the development one) with two technicians'
private conversation of --messages messages (10,000 by default; one in ten
names a ticket, one in fifty is deleted) and a short one of 30, then renders
through Django's test client, signed in as the recipient:

  - the conversation page (the newest 30, marked read): SQL queries and median time,
    for the short and the long conversation, and the ratio (target: same queries,
    ratio under 1.5);
  - an older page from the middle and from the very start of the long one (keyset
    pagination: same queries, same time);
  - the poll when nothing changed (a 204) and the header's unread count.

Figures are medians of --repeat renders in-process on this machine: compare the
rows with each other, they are not the capacity of a production server.
"""
import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-messaging.sqlite3")
os.environ.setdefault("MEDIA_ROOT", "/tmp/igp-bench-messaging-media")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from messaging import services  # noqa: E402
from messaging.models import Message  # noqa: E402
from messaging.views import POLL_HEADER  # noqa: E402
from notifications.bell import bell_state_for  # noqa: E402


def person(email, first):
    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": "Banc",
                                                                "role": Role.TECHNICIAN})
    return user


def fill(conversation, sender, count):
    conversation.messages.all().delete()
    start = timezone.now() - timedelta(days=60)
    rows = [Message(conversation=conversation, sender=sender, recipient=conversation.other(sender),
                    content=(f"Message {i} : voir IGP-BANC-MACHINE-20251112-{i % 900:03d}" if i % 10 == 0
                             else f"Message {i} du banc d'essai, une ligne comme on en écrit à l'atelier."),
                    created_at=start + timedelta(seconds=i * 7),
                    deleted_at=start if i % 50 == 0 else None)
            for i in range(count)]
    Message.objects.bulk_create(rows, batch_size=2000)


def measure(client, url, repeat, **headers):
    """Before each render the 5 newest messages of every conversation are unread again: the page marks them
    read, as when someone opens a conversation with a few new messages."""
    times, queries, status = [], 0, None
    newest = [pk for c in set(Message.objects.values_list("conversation", flat=True))
              for pk in Message.objects.filter(conversation=c).order_by("-created_at").values_list("pk", flat=True)[:5]]
    for _ in range(repeat):
        Message.objects.filter(pk__in=newest).update(is_read=False, read_at=None)
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url, **headers)
            times.append(time.perf_counter() - t0)
        queries, status = len(captured), response.status_code
    return statistics.median(times) * 1000, queries, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    setup_test_environment()
    call_command("migrate", verbosity=0)
    jean, pierre, luc = person("jean@banc.test", "Jean"), person("pierre@banc.test", "Pierre"), person(
        "luc@banc.test", "Luc")
    t0 = time.perf_counter()
    long_one = services.private_conversation(user=jean, other=pierre)
    short_one = services.private_conversation(user=luc, other=pierre)
    fill(long_one, jean, args.messages)
    fill(short_one, luc, 30)
    Message.objects.update(is_read=True, read_at=timezone.now())  # Read long ago, but for the newest (measure).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # Fresh statistics, as autovacuum would have after a bulk insert.
            cursor.execute("ANALYZE messaging_message")
    print(f"Filled in {time.perf_counter() - t0:.1f} s")
    client = Client()
    client.force_login(pierre)
    client.get(long_one.get_absolute_url())  # Warm up (templates, permissions cache of the session).

    ids = list(long_one.messages.order_by("created_at", "id").values_list("pk", flat=True))
    rows = [
        ("conversation, 30 messages", *measure(client, short_one.get_absolute_url(), args.repeat)),
        (f"conversation, {args.messages:,} messages", *measure(client, long_one.get_absolute_url(), args.repeat)),
    ]
    older = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "older-messages"}
    for label, before in (("older page, middle", ids[len(ids) // 2]), ("older page, the very start", ids[30])):
        rows.append((label, *measure(client, f"{long_one.get_absolute_url()}?avant={before}", args.repeat, **older)))
    page = client.get(long_one.get_absolute_url())
    poll = {f"HTTP_{POLL_HEADER.upper().replace('-', '_')}": page.context["version"], "HTTP_HX_REQUEST": "true"}
    rows.append(("poll, nothing new (204)", *measure(client, f"{long_one.get_absolute_url()}?apres={ids[-1]}",
                                                     args.repeat, **poll)))
    pierre.has_perm("messaging.read_public_channel")
    with CaptureQueriesContext(connection) as header:
        t0 = time.perf_counter()
        state = bell_state_for(pierre)
        header_ms = (time.perf_counter() - t0) * 1000
    rows.append(("header unread count", header_ms, len(header), 200))

    print(f"\n{'':38} {'median ms':>10} {'queries':>8} {'status':>7}")
    for label, ms, queries, status in rows:
        print(f"{label:38} {ms:10.1f} {queries:8d} {status:7d}")
    ratio = rows[1][1] / rows[0][1]
    print(f"\nlong / short conversation: {ratio:.2f}× the time, {rows[1][2]} vs {rows[0][2]} queries"
          f" (header: {state.messages:,} unread messages counted in {len(header)} query)")
    problems = []
    if rows[1][2] != rows[0][2]:
        problems.append("the long conversation costs more queries than the short one")
    if rows[2][2] != rows[3][2]:
        problems.append("an older page costs more queries deeper in the conversation")
    if len(header) != 1:
        problems.append("the header's count is more than one query")
    if problems:
        sys.exit("; ".join(problems))


if __name__ == "__main__":
    main()
