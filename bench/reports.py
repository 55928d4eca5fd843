"""The reports over 100,000 tickets and 1 million timeline rows, and the CSV export of 100,000 tickets.

    DATABASE_URL=sqlite:////tmp/igp-bench-reports.sqlite3 .venv/bin/python bench/reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h15 .venv/bin/python bench/reports.py   # database must exist

Fills a *separate* database (refuses the development one) in two steps, with bulk inserts in
chunks (never a million model objects at once): first --small tickets, then up to --tickets
(100,000 by default), each with --rows-per-ticket timeline status rows (10: 1 million rows),
on 20 machines and 10 technicians, plus one overdue alert row per 10 tickets. Then, side by side:

  - every table of the reports page (reports.figures.all_tables) on the small and on the full
    database: SQL queries (must be the same: aggregation happens in the database) and seconds;
  - the reports page itself through the test client (queries, seconds);
  - the CSV export of every ticket (/export/tickets.csv, the board's filters empty), streamed:
    rows, megabytes written, peak Python memory while streaming (tracemalloc; limit 50 MB),
    beside the peak of loading the same rows into a list (what a non-streamed export would hold).

Figures are from this machine (2 shared cores, other engineers' tests running): compare the
rows with each other, not with a production server.
"""
import argparse
import os
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-reports.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from notifications.models import WebhookEndpoint, WebhookNotification  # noqa: E402
from reports import figures  # noqa: E402
from reports.figures import Period  # noqa: E402
from tickets.models import Machine, Ticket, TimelineEntry  # noqa: E402

S = Ticket.Status
# A ticket's path through the workflow: created (received), then these moves, an hour or more apart.
PATH = [S.DIAGNOSTIC, S.IN_PROGRESS, S.WAITING_PARTS, S.IN_PROGRESS, S.WAITING_PARTS, S.IN_PROGRESS,
        S.DIAGNOSTIC, S.IN_PROGRESS, S.COMPLETED]
CHUNK = 5000
MEMORY_LIMIT_MB = 50


def people_and_machines():
    supervisor, _ = User.objects.get_or_create(email="bench-reports@igp.test",
                                               defaults={"role": Role.SUPERVISOR, "first_name": "Banc"})
    techs = [User.objects.get_or_create(
        email=f"bench-tech{n}@igp.test",
        defaults={"role": Role.TECHNICIAN, "first_name": "Tech", "last_name": str(n)})[0]
        for n in range(10)]
    machines = [Machine.objects.get_or_create(machine_type="Banc", model=f"R{n:02d}")[0] for n in range(20)]
    endpoint, _ = WebhookEndpoint.objects.get_or_create(name="Banc", defaults={"url": "https://banc.example/h"})
    return supervisor, techs, machines, endpoint


def path_of(n, moves, done):
    """The moves of ticket `n`: the whole path to completed, or (open) the same length ending
    waiting for parts or in diagnostic, so every ticket has `rows_per_ticket` rows."""
    if done or not moves:
        return moves
    return moves[:-1] + [S.WAITING_PARTS if n % 2 else S.DIAGNOSTIC]


def fill(count, rows_per_ticket, *, now):
    """Tickets up to `count`, each with `rows_per_ticket` status rows, in chunks of CHUNK tickets."""
    supervisor, techs, machines, endpoint = people_and_machines()
    have = Ticket.objects.filter(ticket_id__startswith="IGP-RAPPORT-").count()
    moves = PATH[:max(rows_per_ticket - 1, 0)]
    for first in range(have, count, CHUNK):
        numbers = range(first, min(first + CHUNK, count))
        tickets = []
        for n in numbers:
            created = now - timedelta(days=360) + timedelta(minutes=5 * n % (350 * 24 * 60))
            done = bool(n % 3 != 0 and moves and moves[-1] == S.COMPLETED)
            path = path_of(n, moves, done)
            status = path[-1] if path else S.RECEIVED
            tickets.append(Ticket(
                ticket_id=f"IGP-RAPPORT-{n:07d}", title=f"Ticket de banc {n}", machine=machines[n % 20],
                status=status, priority=Ticket.Priority.values[n % 4], reporter=supervisor,
                assigned_to=techs[n % 10] if n % 5 else None, scheduled_date=created + timedelta(hours=1),
                created_at=created, completed_at=created + timedelta(hours=len(moves) * 2) if done else None))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            saved = Ticket.objects.filter(ticket_id__in=[t.ticket_id for t in tickets]).values_list(
                "pk", "ticket_id", "created_at", "status")
            rows, alerts = [], []
            for pk, number, created, status in saved:
                rows.append(TimelineEntry(ticket_id=pk, action=TimelineEntry.Action.CREATED, new_value=S.RECEIVED,
                                          created_at=created))
                previous = S.RECEIVED
                for step, new in enumerate(path_of(int(number[-7:]), moves, status == S.COMPLETED), start=1):
                    rows.append(TimelineEntry(ticket_id=pk, action=TimelineEntry.Action.STATUS_CHANGED,
                                              old_value=previous, new_value=new,
                                              created_at=created + timedelta(hours=2 * step)))
                    previous = new
                if pk % 10 == 0:
                    alerts.append(WebhookNotification(
                        ticket_id=pk, ticket_number="", endpoint=endpoint, webhook_url=endpoint.url,
                        sent_at=created + timedelta(days=1, minutes=5), succeeded=pk % 30 != 0,
                        error="" if pk % 30 else "HTTP 500"))
            TimelineEntry.objects.bulk_create(rows, batch_size=2000)
            WebhookNotification.objects.bulk_create(alerts, batch_size=2000)
        print(f"  … {numbers[-1] + 1:,} tickets", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # What autovacuum does after a bulk load: plans on real counts.
    return supervisor


def tables(period):
    """(queries, seconds, {table: seconds}) of every table of the reports page, after one warm-up run."""
    figures.all_tables(period)
    each = {}
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        for name, build in figures.TABLES.items():
            t1 = time.perf_counter()
            build(period)
            each[name] = time.perf_counter() - t1
        seconds = time.perf_counter() - t0
    return len(queries), seconds, each


def page(client, query):
    client.get(reverse("reports:page"), query)
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = client.get(reverse("reports:page"), query)
        seconds = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    return len(queries), seconds


def export(client):
    """(rows, MB written, peak MB, seconds) of the streamed CSV of every ticket."""
    tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get(reverse("reports:tickets-csv"))
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += 1
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines - 1, size / 1e6, peak / 1e6, seconds


def loaded_peak():
    """Peak MB of holding the same rows in a list, as an export that is not streamed would."""
    from reports.exports import TICKET_COLUMNS

    tracemalloc.start()
    rows = list(Ticket.objects.values_list(*TICKET_COLUMNS[:-1]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del rows
    return peak / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rows-per-ticket", type=int, default=10)
    parser.add_argument("--keep", action="store_true",
                        help="reuse a database filled by an earlier run: skip the small step (no refill)")
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    setup_test_environment()
    call_command("migrate", verbosity=0)
    now = timezone.now()
    query = {"du": timezone.localdate(now - timedelta(days=365)).isoformat(),
             "au": timezone.localdate(now).isoformat()}
    from machines.forms import PeriodForm

    start, end, _first, _last = PeriodForm(query).bounds(now=now)
    period = Period(start=start, end=end, now=now)

    client = Client()
    small = None
    if not args.keep:
        Ticket.objects.filter(ticket_id__startswith="IGP-RAPPORT-",
                              ticket_id__gte=f"IGP-RAPPORT-{args.small:07d}").delete()
        t0 = time.perf_counter()
        supervisor = fill(args.small, args.rows_per_ticket, now=now)
        print(f"Small database filled in {time.perf_counter() - t0:.1f} s")
        client.force_login(supervisor)
        small = (Ticket.objects.count(), TimelineEntry.objects.count(), tables(period), page(client, query))

    t0 = time.perf_counter()
    supervisor = fill(args.tickets, args.rows_per_ticket, now=now)
    print(f"Full database filled in {time.perf_counter() - t0:.1f} s")
    client.force_login(supervisor)
    full = (Ticket.objects.count(), TimelineEntry.objects.count(), tables(period), page(client, query))

    print()
    print("| database | tickets | timeline rows | tables: queries | tables: s | page: queries | page: s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, figures_ in (("small", small), ("full", full)):
        if figures_ is None:
            continue
        n, rows, (tq, ts, _each), (pq, ps) = figures_
        print(f"| {name} | {n:,} | {rows:,} | {tq} | {ts:.2f} | {pq} | {ps:.2f} |")
    print()
    print("| table (full database) | s |")
    print("|---|---:|")
    for name, seconds in full[2][2].items():
        print(f"| {name} | {seconds:.2f} |")
    if small is not None:
        assert small[2][0] == full[2][0], "the reports' queries grow with the data"
        assert small[3][0] == full[3][0], "the reports page's queries grow with the data"

    lines, written, peak, seconds = export(client)
    held = loaded_peak()
    print()
    print("| CSV export | rows | MB written | peak Python memory MB | s |")
    print("|---|---:|---:|---:|---:|")
    print(f"| streamed (/export/tickets.csv) | {lines:,} | {written:.1f} | {peak:.1f} | {seconds:.1f} |")
    print(f"| the same rows in a list (not streamed) | {full[0]:,} | — | {held:.1f} | — |")
    assert peak < MEMORY_LIMIT_MB, f"the streamed export held {peak:.1f} MB (limit {MEMORY_LIMIT_MB} MB)"


if __name__ == "__main__":
    main()
