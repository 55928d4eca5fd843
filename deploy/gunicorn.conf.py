"""Gunicorn configuration: `gunicorn -c deploy/gunicorn.conf.py igp_maintenance.wsgi`.

Why these values (README, "Reliability"):

- `gthread` workers: a cron call to /api/cron/check-overdue spends most of its
  time waiting on webhook receivers (network I/O). Threads let one worker serve
  several such calls at once, so five overlapping cron calls are all answered
  within cron-job.org's 30 s instead of queueing behind each other (two answered
  after ~40 s with sync workers). 2 workers x 8 threads = 16 requests in flight.
- `timeout` above the longest request we allow: the run budget
  (OVERDUE_RUN_BUDGET_SECONDS, 20 s) plus one attempt's total deadline
  (WEBHOOK_TOTAL_TIMEOUT, 8 s, enforced on the whole exchange), plus margin.
  Gunicorn must never kill a worker in the middle of a scan: that would leave
  claims held and "Envoi en cours" rows behind.
- Every value can be changed from the environment, no file edit.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Budget 20 s + attempt deadline 8 s = 28 s, the longest a scan may take; 60 s leaves room for a slow database.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then (slow leaks), with jitter so they do not all restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Behind the reverse proxy; it sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
