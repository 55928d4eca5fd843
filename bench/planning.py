"""Benchmark of preventive-plan generation and of the calendar's month view.

    DATABASE_URL=sqlite:////tmp/igp-bench-planning.sqlite3 .venv/bin/python bench/planning.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench .venv/bin/python bench/planning.py

Fills a *separate* database (refuses the development one) with --plans plans over --machines
machines, --due of them due now, and reports side by side in one run:

1. The scan's selection with nothing due, at 100 and at --plans plans: its queries must not grow
   with the number of plans (no query per plan).
2. Generation of the due plans with two batch sizes: queries in all and per batch (tickets, timeline
   rows, checklists and notifications are made in bulk: tickets.services.tickets_create_many), which
   must be the same constant for every batch, and one due plan must cost what two cost.
3. The whole overdue scan (run_overdue_scan, no webhook) with that generation in it, against the
   cron budget (OVERDUE_RUN_BUDGET_SECONDS).
4. The calendar's month view with 200 and with --tickets scheduled tickets: queries (the same) and
   time (ratio).
"""
import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igp_maintenance.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-planning.sqlite3")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.services import run_overdue_scan  # noqa: E402
from planning import services  # noqa: E402
from planning.models import Occurrence, Plan  # noqa: E402
from tickets.models import Machine, Ticket  # noqa: E402


def people():
    def user(email, role):
        found = User.objects.filter(email=email).first()
        return found or User.objects.create_user(email, "bench-password-123", first_name=email.split("@")[0],
                                                 last_name="Bench", role=role)
    return user("chef@bench.test", Role.SUPERVISOR), [user(f"tech{i}@bench.test", Role.TECHNICIAN) for i in range(5)]


def reset():
    Occurrence.objects.all().delete()
    Plan.objects.all().delete()
    Notification.objects.all().delete()
    Ticket.objects.all().delete()


def fill_plans(n, due, machines, author, technicians, *, now):
    """n plans, `due` of them due at `now` (lead reached), the rest weeks away; a tenth floating, some paused."""
    plans = []
    for i in range(n):
        is_due = i < due
        start = timezone.localdate(now) + (timedelta(days=2) if is_due else timedelta(days=60 + i % 30))
        plan = Plan(machine=machines[i % len(machines)], title=f"Plan {i}", created_by=author,
                    checklist=["Graisser", "Serrer", "Nettoyer"], assigned_to=technicians[i % len(technicians)],
                    kind=Plan.Kind.FLOATING if i % 10 == 9 else Plan.Kind.FIXED, every=1 + i % 3,
                    unit=[Plan.Unit.WEEKS, Plan.Unit.MONTHS][i % 2], start_date=start,
                    paused=(not is_due and i % 17 == 0))
        plan.set_next(start)
        plans.append(plan)
    Plan.objects.bulk_create(plans, batch_size=500)


def counted(fn):
    """(result, queries, seconds): every query counted (Django's query log keeps only the last 9,000)."""
    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, count[0], elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--machines", type=int, default=100)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    settings.OVERDUE_WEBHOOK_URL = ""
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    reset()
    author, technicians = people()
    machines = list(Machine.objects.order_by("pk")[:args.machines])
    for i in range(len(machines), args.machines):
        machines.append(Machine.objects.create(machine_type="Four", model=f"B{i:03d}"))
    now = timezone.now()

    print("\n1. Selection with nothing due (queries must not grow with the plans)")
    for n in (100, args.plans):
        reset()
        fill_plans(n, 0, machines, author, technicians, now=now)
        _r, queries, elapsed = counted(lambda: services.generate(now=now))
        print(f"   {n:>5} plans: {queries} queries, {elapsed * 1000:.1f} ms")

    print(f"\n2. Generation of {args.due} due plans among {args.plans}")
    rows = []
    for batch_size in (50, 200):
        reset()
        fill_plans(args.plans, args.due, machines, author, technicians, now=now)
        result, queries, elapsed = counted(lambda size=batch_size: services.generate(now=now, batch_size=size))
        created = len(result.created)
        rows.append((batch_size, created, queries, elapsed))
    # The same batch with one due plan and with two: the same queries, so none is per ticket.
    reset()
    fill_plans(10, 1, machines, author, technicians, now=now)
    _r, one, _e = counted(lambda: services.generate(now=now))
    reset()
    fill_plans(10, 2, machines, author, technicians, now=now)
    _r, two, _e = counted(lambda: services.generate(now=now))
    print(f"   one due plan: {one} queries; two: {two} (so {two - one} per ticket)")
    for batch_size, created, queries, elapsed in rows:
        batches = -(-created // batch_size)
        print(f"   batch {batch_size:>3}: {created} tickets in {batches} batches, {queries} queries"
              f" ({(queries - 2) / batches:.1f} per batch after the 2 of the selection), {elapsed:.2f} s"
              f" ({elapsed / max(created, 1) * 1000:.1f} ms per ticket)")

    print("\n3. The whole scan (check_overdue) with the generation in it")
    reset()
    fill_plans(args.plans, args.due, machines, author, technicians, now=now)
    started = time.perf_counter()
    run_overdue_scan(now=now)
    elapsed = time.perf_counter() - started
    print(f"   {Ticket.objects.count()} tickets created, scan {elapsed:.2f} s; cron budget "
          f"{settings.OVERDUE_RUN_BUDGET_SECONDS:.0f} s ({elapsed / settings.OVERDUE_RUN_BUDGET_SECONDS:.0%} of it)")

    print("\n4. The calendar's month view")
    client = Client()
    client.force_login(author)
    month_start = timezone.localdate(now).replace(day=1)
    tz = timezone.get_default_timezone()
    results = []
    for n in (200, args.tickets):
        Ticket.objects.all().delete()
        Ticket.objects.bulk_create(
            Ticket(ticket_id=f"IGP-BENCH-{i:05d}", title=f"Travail {i}", machine=machines[i % len(machines)],
                   reporter=author, assigned_to=technicians[i % len(technicians)],
                   scheduled_date=datetime.combine(month_start + timedelta(days=i % 28), datetime.min.time(),
                                                   tzinfo=tz) + timedelta(hours=6 + i % 12))
            for i in range(n))
        client.get("/calendrier/")  # Warm.
        response, queries, elapsed = counted(lambda: client.get("/calendrier/"))
        assert response.status_code == 200
        results.append((n, queries, elapsed, len(response.content)))
    for n, queries, elapsed, size in results:
        print(f"   {n:>5} scheduled tickets: {queries} queries, {elapsed * 1000:.0f} ms, {size // 1024} KB")
    print(f"   ratio of times: {results[1][2] / results[0][2]:.1f}× for {results[1][0] / results[0][0]:.0f}× "
          "the tickets")
    reset()
    assert isinstance(date.today(), date)


if __name__ == "__main__":
    main()
