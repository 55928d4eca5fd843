"""Benchmark of the overdue scan against the original algorithm, on the same data.

    DATABASE_URL=sqlite:////tmp/igp-bench.sqlite3 .venv/bin/python bench/overdue.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench .venv/bin/python bench/overdue.py

Fills a *separate* database (refuses the development one) with --tickets tickets
of which --overdue are overdue, starts a receiver on 127.0.0.1 answering in
50 ms, and reports for each algorithm: SQL queries of the selection (at two
table sizes: it must not grow with the number of tickets), run time, total
queries and peak Python memory (tracemalloc), deliveries received.

Runs: the original (1 + N queries, sequential posts, 200 ms pause), ours with
the default spacing (200 ms between posts), ours with spacing 0 (bounded
concurrency, WEBHOOK_MAX_CONCURRENCY), and ours within the 20 s run budget.
"""
import argparse
import os
import socket
import sys
import threading
import time
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igp_maintenance.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench.sqlite3")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402
import requests  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from bench.overdue_original import run_original, select_original  # noqa: E402
from notifications import delivery  # noqa: E402
from notifications.models import (  # noqa: E402
    Channel,
    Kind,
    OverdueAlert,
    ScanRun,
    WebhookEndpoint,
    WebhookNotification,
)
from notifications.preferences import preference_set  # noqa: E402
from notifications.services import destinations, run_overdue_scan, select_due  # noqa: E402
from tickets.models import Machine, Ticket  # noqa: E402

NOW = timezone.now()


# --- Receiver -----------------------------------------------------------------
class Receiver:
    def __init__(self, delay):
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: without this, Nagle + delayed ACK add ~40 ms.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                with receiver.lock:
                    receiver.count += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- Data ---------------------------------------------------------------------
def fill(total, overdue, *, start=0):
    """Tickets start..total-1; the first `overdue` of all are overdue. bulk_create, precomputed ids."""
    reporter, _ = User.objects.get_or_create(email="bench-reporter@igp.test",
                                             defaults={"first_name": "Banc", "last_name": "Essai",
                                                       "role": Role.SUPERVISOR})
    tech, _ = User.objects.get_or_create(email="bench-tech@igp.test",
                                         defaults={"first_name": "Tech", "last_name": "Banc",
                                                   "role": Role.TECHNICIAN})
    # This benchmark measures the webhook: the assignee's overdue e-mails (bench/notifications.py) stay off.
    preference_set(user=tech, choices={(Kind.TICKET_OVERDUE, Channel.EMAIL): False})
    machines = list(Machine.objects.all()[:10]) or [
        Machine.objects.create(machine_type=f"Type{i}", model=f"M{i}") for i in range(10)
    ]
    statuses = ["in_progress", "waiting_parts", "completed", "archived", "received", "diagnostic"]
    batch = []
    for i in range(start, total):
        is_overdue = i < overdue
        kind = i % 6
        fields = {
            "ticket_id": f"IGP-BENCH-{i:07d}", "title": f"Ticket {i}", "description": "Banc d'essai",
            "machine": machines[i % 10], "reporter": reporter, "created_at": NOW - timedelta(days=30),
        }
        if is_overdue:
            fields.update(status="received" if i % 2 else "diagnostic", assigned_to=tech,
                          scheduled_date=NOW - timedelta(hours=1 + i % 72))
        elif kind < 4:  # Past schedule but work started or done.
            fields.update(status=statuses[kind], assigned_to=tech, scheduled_date=NOW - timedelta(days=2))
        elif kind == 4:  # Waiting, scheduled in the future.
            fields.update(status="received", assigned_to_team=True, scheduled_date=NOW + timedelta(days=3))
        else:  # Waiting, past schedule, but nobody assigned.
            fields.update(status="diagnostic", scheduled_date=NOW - timedelta(days=1))
        batch.append(Ticket(**fields))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    if batch:
        Ticket.objects.bulk_create(batch)


def reset_alerts():
    WebhookNotification.objects.all().delete()
    OverdueAlert.objects.all().delete()
    ScanRun.objects.all().delete()


# --- Measures -----------------------------------------------------------------
@contextmanager
def counting_queries():
    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def measure(label, func):
    tracemalloc.start()
    started = time.perf_counter()
    with counting_queries() as queries:
        value = func()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"label": label, "seconds": elapsed, "queries": queries["n"], "peak_mib": peak / 2**20, "value": value}


def selection_queries(now):
    destinations()  # Creates the OVERDUE_WEBHOOK_URL endpoint row, as the first real run would.
    with counting_queries() as ours:
        endpoints = destinations()
        _tickets, due = select_due(now=now, endpoints=endpoints)
    with counting_queries() as original:
        to_alert = select_original(now)
    return ours["n"], len(due), original["n"], len(to_alert)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="first size for the query count")
    parser.add_argument("--overdue", type=int, default=1_000)
    parser.add_argument("--receiver-ms", type=int, default=50)
    parser.add_argument("--skip-slow", action="store_true", help="skip the two 200 ms-spaced runs")
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    reset_alerts()
    Ticket.objects.all().delete()

    receiver = Receiver(args.receiver_ms / 1000)
    settings.OVERDUE_WEBHOOK_URL = receiver.url
    settings.OVERDUE_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    WebhookEndpoint.objects.all().delete()

    print("\n## Selection: SQL queries to find the alerts due")
    print("| tickets | overdue | ours: queries | ours: due | original: queries | original: due |")
    print("|---:|---:|---:|---:|---:|---:|")
    t0 = time.perf_counter()
    fill(args.small, args.overdue)
    fill_small = time.perf_counter() - t0
    ours_q, ours_due, orig_q, orig_due = selection_queries(NOW)
    print(f"| {args.small:,} | {args.overdue:,} | {ours_q} | {ours_due} | {orig_q} | {orig_due} |")
    t0 = time.perf_counter()
    fill(args.tickets, args.overdue, start=args.small)
    fill_big = time.perf_counter() - t0
    ours_q, ours_due, orig_q, orig_due = selection_queries(NOW)
    print(f"| {args.tickets:,} | {args.overdue:,} | {ours_q} | {ours_due} | {orig_q} | {orig_due} |")
    print(f"\n(filled {args.small:,} tickets in {fill_small:.1f} s, {args.tickets:,} in {fill_small + fill_big:.1f} s)")

    # Warm-up, so that neither algorithm pays for imports (URLconf, requests) in its figures.
    Ticket.objects.first().get_absolute_url()
    delivery.post(receiver.url, b"{}", {"Content-Type": "application/json"})
    requests.post(receiver.url, data=b"{}", timeout=5)
    run_overdue_scan(now=NOW - timedelta(days=400), trigger="manual")

    results = []
    unlimited = 10**9

    def scenario(label, run, *, spacing_ms=None, before_measure=None):
        """One line of the table: fresh alert state, optional spacing, webhooks counted at the receiver."""
        reset_alerts()
        if spacing_ms is not None:
            settings.WEBHOOK_SPACING_MS = spacing_ms
            WebhookEndpoint.objects.all().delete()  # The settings endpoint is upserted with the new spacing.
        if before_measure:
            before_measure()
        before = receiver.count
        r = measure(label, run)
        r["received"] = receiver.count - before
        r["remaining"] = getattr(r["value"], "remaining", 0)
        results.append(r)

    def ours(now=NOW, budget=unlimited):
        return lambda: run_overdue_scan(now=now, trigger="manual", budget_seconds=budget)

    if not args.skip_slow:
        scenario("original: 1+N queries, sequential, 200 ms pause", lambda: run_original(now=NOW, url=receiver.url))
        scenario("ours: spacing 200 ms (default), no budget", ours(), spacing_ms=200)
    scenario(f"ours: spacing 0, {settings.WEBHOOK_MAX_CONCURRENCY} concurrent posts, no budget", ours(),
             spacing_ms=0)
    scenario(f"ours: spacing 200 ms, {settings.OVERDUE_RUN_BUDGET_SECONDS:g} s budget (one cron call)",
             ours(budget=None), spacing_ms=200)
    scenario("ours: second run 5 min later (all within 24 h window)",
             ours(now=NOW + timedelta(minutes=5), budget=None), spacing_ms=0, before_measure=ours())

    print(f"\n## Delivery of {args.overdue:,} alerts among {args.tickets:,} tickets "
          f"(receiver answers in {args.receiver_ms} ms)")
    print("| run | time (s) | SQL queries | peak memory (MiB) | webhooks received | left for next run |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['label']} | {r['seconds']:.1f} | {r['queries']:,} | {r['peak_mib']:.1f} | "
              f"{r['received']:,} | {r.get('remaining', 0):,} |")
    reset_alerts()


if __name__ == "__main__":
    main()
