"""Fixtures of the overdue-alert tests: settings for fast runs, an overdue ticket
in one line, a faked destination (`responses`) and a real one on 127.0.0.1."""
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from tests.conftest import NOW
from tickets.models import Ticket

HOOK_URL = "http://hooks.igp.test/overdue"
CRON_SECRET = "cron-secret-for-tests"
# Two days, 9 hours and 26 minutes before NOW, as in the original's report.
SCHEDULED = NOW - timedelta(days=2, hours=9, minutes=26)


@pytest.fixture(autouse=True)
def alert_settings(settings):
    settings.OVERDUE_WEBHOOK_URL = HOOK_URL
    settings.OVERDUE_WEBHOOK_SECRET = ""
    settings.CRON_SECRET = CRON_SECRET
    settings.SITE_URL = "https://maintenance.igp.test"
    settings.WEBHOOK_SPACING_MS = 0
    settings.WEBHOOK_MAX_CONCURRENCY = 1
    settings.OVERDUE_RUN_BUDGET_SECONDS = 20.0
    settings.OVERDUE_CLAIM_TTL_SECONDS = 300
    settings.OVERDUE_DUE_TOLERANCE_SECONDS = 30.0
    settings.OVERDUE_RETRY_DELAYS_MINUTES = [5, 15, 60]
    settings.OVERDUE_ALERT_INTERVAL = timedelta(hours=24)
    return settings


@pytest.fixture
def overdue_ticket(make_ticket, technician):
    """make_overdue() → a ticket assigned to Jean, scheduled 2 days 9 h 26 min before NOW."""

    def _make(**fields):
        fields.setdefault("assigned_to", technician)
        fields.setdefault("scheduled_date", SCHEDULED)
        fields.setdefault("created_at", NOW - timedelta(days=3))
        return make_ticket(**fields)

    return _make


@pytest.fixture
def hooks():
    """The OVERDUE_WEBHOOK_URL destination, faked. Register answers with hooks.add(...)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def hook_ok(hooks, url=HOOK_URL, status=200):
    hooks.add(responses.POST, url, json={"status": "success"}, status=status)


def posted(hooks):
    return [json.loads(call.request.body) for call in hooks.calls]


class Receiver:
    """A real HTTP receiver on 127.0.0.1: answers `status`, keeps every request it got."""

    def __init__(self):
        self.status = 200
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = receiver.status
                    receiver.received.append({"headers": dict(self.headers), "body": json.loads(body),
                                              "status": status})
                answer = b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 64  # Eight runs with four posts each connect at once.

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def delivered_ids(self):
        """notification_id of every alert the receiver accepted (2xx)."""
        with self.lock:
            return [r["body"]["notification_id"] for r in self.received if 200 <= r["status"] < 300]


@pytest.fixture
def receiver(settings):
    r = Receiver()
    r.thread.start()
    settings.OVERDUE_WEBHOOK_URL = r.url
    yield r
    r.server.shutdown()
    r.server.server_close()


def bulk_overdue_tickets(count, *, machine, reporter, assigned_to):
    """`count` overdue tickets in one INSERT (ticket ids precomputed: bulk_create skips save())."""
    return Ticket.objects.bulk_create(
        Ticket(ticket_id=f"IGP-BULK-{i:05d}", title=f"Ticket {i}", machine=machine, reporter=reporter,
               assigned_to=assigned_to, scheduled_date=SCHEDULED, created_at=NOW - timedelta(days=3))
        for i in range(count)
    )


class RawReceiver:
    """A misbehaving receiver on 127.0.0.1: `behave(conn)` runs for each connection, in its own thread.

    `behave` writes whatever it likes on the raw socket (a status line one byte at a
    time, endless headers...) and should return when `self.stop` is set.
    """

    def __init__(self, behave, backlog=16):
        self.stop = threading.Event()
        self.behave = behave
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.connections = []

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self):
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(5)
            conn.recv(65536)  # The request (small: headers and a JSON body).
            self.behave(conn, self.stop)
        except OSError:
            pass  # The client hung up: that is what the deadline does.
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()
        for conn in self.connections:
            conn.close()


def trickle(conn, stop, data, every):
    """Send `data` one byte every `every` seconds, until done or stopped."""
    for byte in data:
        if stop.wait(every):
            return
        conn.sendall(bytes([byte]))


@pytest.fixture
def raw_receiver():
    """raw_receiver(behave) → a started RawReceiver, closed after the test."""
    started = []

    def _make(behave, **kwargs):
        r = RawReceiver(behave, **kwargs).start()
        started.append(r)
        return r

    yield _make
    for r in started:
        r.close()


def database_url():
    """The test database as a DATABASE_URL, for the real processes a test starts (they must see its rows)."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def process_env(**settings):
    """Environment of a real `manage.py`/gunicorn process on the test database, with these settings."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DB_SUFFIX"}}
    env.update(DEBUG="True", SECRET_KEY="test-" + "k" * 40, ALLOWED_HOSTS="127.0.0.1,localhost",
               DATABASE_URL=database_url(), CRON_SECRET=CRON_SECRET, SITE_URL="https://maintenance.igp.test",
               CONN_MAX_AGE="0", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in settings.items()})
    return env


# --- A real SMTP server (aiosmtpd) on 127.0.0.1, for the e-mail channel ---------------------
SMTP_PORTS = range(18300, 18400)  # This area's port range.


class SmtpServer:
    """aiosmtpd on 127.0.0.1: keeps every accepted message; `refuse[address] = "550 …"` refuses a recipient."""

    def __init__(self):
        import email
        import email.policy

        from aiosmtpd.controller import Controller

        self.messages = []
        self.refuse = {}
        self.delay = 0.0  # Seconds the server takes to accept a message (concurrent runs overlap).
        self.stall = False  # True: read the message, keep it in `stalled`, never answer (a dying run's send).
        self.stalled = []
        self.lock = threading.Lock()
        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                with server.lock:
                    answer = server.refuse.get(address)
                if answer:
                    return answer
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                import asyncio

                if server.delay:
                    await asyncio.sleep(server.delay)
                message = email.message_from_bytes(envelope.original_content or envelope.content,
                                                   policy=email.policy.default)
                if server.stall:
                    with server.lock:
                        server.stalled.append(message)
                    await asyncio.sleep(60)
                    return "451 4.3.0 Stalled"
                with server.lock:
                    server.messages.append(message)
                return "250 Message accepted for delivery"

        for port in SMTP_PORTS:
            probe = socket.socket()
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            finally:
                probe.close()
            self.port = port
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
            try:
                self.controller.start()
            except Exception:  # noqa: BLE001 — taken between the probe and the start: next port
                continue
            break
        else:
            raise RuntimeError("no free port in 18300-18399")
        self.url = f"smtp://127.0.0.1:{self.port}"

    def received(self):
        with self.lock:
            return list(self.messages)

    def message_ids(self):
        return [m["Message-ID"] for m in self.received()]

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp(settings):
    """A started SmtpServer; Django's SMTP backend points at it."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "IGP Maintenance <maintenance@igp.test>"
    yield server
    server.stop()


def parts(message):
    """(plain text, html) of a received message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else ""), (html.get_content() if html else "")

# The push-service stand-in and a VAPID key pair, for every test of this folder.
from .pushservice import push_service, vapid  # noqa: E402, F401
