"""Requests per second of the ticket list through gunicorn, API vs a bare Django view.

    DATABASE_URL=sqlite:////tmp/igp-bench-api.sqlite3 .venv/bin/python bench/api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igp_bench_api .venv/bin/python bench/api.py

Fills a *separate* database (refuses the development one) with --tickets tickets
(10,000 by default) on 20 machines, starts gunicorn on 127.0.0.1 with the bench
settings (bench/api_settings.py, which add the bare view of bench/api_urls.py),
checks that both endpoints return the same 50 rows, then alternates timed runs:

  - API:  GET /api/tickets?page_size=50          (DRF: JWT auth, filters, serializer, pagination)
  - bare: GET /bench/bare-tickets                (plain Django view: same JWT check, queryset, fields)

Both are called as a supervisor (who sees every ticket), with --concurrency client
threads on keep-alive sessions, for --seconds each, --rounds times, in the same
run. Prints a Markdown table: requests/s, median and 95th percentile latency;
then the CPU time of one request of each, in-process (steadier on a busy machine).
The load generator runs on the same machine: figures compare the two endpoints,
they are not the capacity of a production server.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/igp-bench-api.sqlite3")
# One token for the whole run (longer than the 15-minute default); gunicorn inherits it.
os.environ.setdefault("JWT_ACCESS_MINUTES", "120")

import django  # noqa: E402
import requests  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from tickets.models import Machine, Ticket  # noqa: E402

API = "/api/tickets?page_size=50"
BARE = "/bench/bare-tickets"


def fill(count):
    """`count` tickets (kept between runs if already there), a supervisor and technicians."""
    supervisor = User.objects.filter(email="bench-supervisor@igp.test").first()
    if supervisor is None:
        supervisor = User.objects.create_user("bench-supervisor@igp.test", None, role=Role.SUPERVISOR,
                                              first_name="Banc", last_name="Superviseur")
    techs = [User.objects.get_or_create(email=f"bench-tech{n}@igp.test",
                                        defaults={"role": Role.TECHNICIAN, "first_name": f"Tech{n}"})[0]
             for n in range(5)]
    machines = [Machine.objects.get_or_create(machine_type="Banc", model=f"M{n:02d}")[0] for n in range(20)]
    have = Ticket.objects.count()
    if have >= count:
        return supervisor
    now = timezone.now()
    statuses, priorities = Ticket.Status.values, Ticket.Priority.values
    batch = []
    for n in range(have, count):
        team = n % 7 == 0
        batch.append(Ticket(
            ticket_id=f"IGP-BANC-{n:06d}", title=f"Ticket de banc {n}", description="Courroie à remplacer " * 5,
            machine=machines[n % len(machines)], status=statuses[n % len(statuses)],
            priority=priorities[n % len(priorities)], reporter=supervisor,
            assigned_to=None if team or n % 3 == 0 else techs[n % len(techs)], assigned_to_team=team,
            scheduled_date=now - timedelta(hours=n % 100) if n % 2 else None,
            created_at=now - timedelta(minutes=n),
        ))
        if len(batch) == 2000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    return supervisor


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(url, headers, seconds, concurrency):
    """Calls `url` from `concurrency` threads for `seconds`; returns (requests/s, latencies in ms)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        session = requests.Session()
        mine = []
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                errors.append(response.status_code)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{url}: {len(errors)} errors, e.g. HTTP {errors[0]}")
    return len(latencies) / elapsed, latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one timed run")
    parser.add_argument("--rounds", type=int, default=3, help="API/bare alternations")
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    if str(db["NAME"]) == str(ROOT / "db.sqlite3"):
        sys.exit("Refusing to fill the development database: set DATABASE_URL to a bench database.")
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    supervisor = fill(args.tickets)
    print(f"{Ticket.objects.count():,} tickets ready ({time.perf_counter() - t0:.1f} s)")
    token = str(AccessToken.for_user(supervisor))
    headers = {"Authorization": f"Bearer {token}"}
    connection.close()

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.api_settings"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "igp_maintenance.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/ready", timeout=5)  # A JSON 404: the server answers.
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        api_rows = requests.get(base + API, headers=headers, timeout=30).json()
        bare_rows = requests.get(base + BARE, headers=headers, timeout=30).json()
        assert api_rows["results"] == bare_rows["results"], "the two endpoints must return the same rows"
        assert len(api_rows["results"]) == 50 and api_rows["count"] == bare_rows["count"]
        size = len(requests.get(base + API, headers=headers, timeout=30).content)
        print(f"Same 50 rows from both ({size / 1024:.0f} KiB of JSON per page, {api_rows['count']:,} tickets).")

        hammer(base + API, headers, 2, args.concurrency)  # Warm-up: imports, connections, caches.
        hammer(base + BARE, headers, 2, args.concurrency)
        results = {"API (DRF)": [], "bare Django view": []}
        for _round in range(args.rounds):
            for name, path in (("API (DRF)", API), ("bare Django view", BARE)):
                results[name].append(hammer(base + path, headers, args.seconds, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"\ngunicorn {args.workers} sync workers, {args.concurrency} client threads, "
          f"{args.rounds} × {args.seconds:.0f} s per endpoint, alternated; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print("| endpoint | requests/s (mean of runs) | runs | median ms | p95 ms |")
    print("|---|---:|---|---:|---:|")
    means = {}
    for name, runs in results.items():
        rates = [r for r, _ in runs]
        latencies = sorted(ms for _, lat in runs for ms in lat)
        means[name] = statistics.mean(rates)
        print(f"| {name} | {means[name]:.1f} | {' / '.join(f'{r:.1f}' for r in rates)} | "
              f"{statistics.median(latencies):.1f} | {latencies[int(len(latencies) * 0.95)]:.1f} |")
    print(f"\nThe API serves {means['API (DRF)'] / means['bare Django view']:.0%} of the bare view's rate.")

    # CPU time per request, in this process: unlike requests/s, it hardly depends on
    # what else the machine is doing. Alternated by tens, so both see the same machine.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    endpoints = (("API (DRF)", API), ("bare Django view", BARE))
    for _name, path in endpoints:
        for _ in range(5):
            client.get(path)
    cpu = {name: 0.0 for name, _ in endpoints}
    for _round in range(5):
        for name, path in endpoints:
            started = time.process_time()
            for _ in range(10):
                assert client.get(path).status_code == 200
            cpu[name] += time.process_time() - started
    print("\n| endpoint | CPU ms per request (in-process, mean of 50) |")
    print("|---|---:|")
    for name, seconds in cpu.items():
        print(f"| {name} | {seconds / 50 * 1000:.1f} |")
    print(f"\nBy CPU time, the API serves {cpu['bare Django view'] / cpu['API (DRF)']:.0%} of the bare view's rate.")


if __name__ == "__main__":
    main()
