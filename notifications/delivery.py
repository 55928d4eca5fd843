"""How a webhook is sent. The only module that talks to `requests`.

Three small steps kept apart, as healthchecks does (`hc/api/transports.py`):

1. `build_payload()` — the JSON body, with the original application's field
   names and meanings (Pabbly workflows read them; do not rename).
2. `signature_headers()` — Standard Webhooks headers (`webhook-id`,
   `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` over
   `{id}.{timestamp}.{body}` with the base64-decoded `whsec_` secret). A retry
   keeps the id and is signed afresh: receivers reject timestamps older than
   five minutes.
3. `post()` — one HTTP attempt bounded by a *total* deadline on the whole
   exchange: connect, TLS handshake, sending, status line, headers and body.
   Every failure (refused connection, DNS, timeout, deadline, non-2xx) comes
   back as an `Outcome` with an error text: no exception from the network
   escapes.

How the deadline is kept: `requests`' timeouts are per socket operation (a
receiver that sends one header byte a second holds a call for minutes), so
each attempt arms a `_Watchdog`, kept with every other attempt's by one
deadline thread (`_Deadlines`). The session's connections register
their socket with the watchdog of the attempt running on their thread; at the
deadline the watchdog shuts those sockets down, which makes any blocked
`recv`/`send` return at once, and the attempt is recorded as "Délai total …
dépassé". The push channel posts through the same pool with `post_small`
(urllib3 directly: thousands of small posts a scan). We keep `requests`
(connection pooling, TLS, proxies, the `responses` mock in tests) and add a
few dozen lines, rather than re-implementing HTTP on raw sockets or running
each post in a subprocess. The connect itself is bounded by
the connect timeout, capped at the total. Known limit: the DNS lookup (system
resolver, before any socket exists) is not interruptible; use an IP or a
resolvable name.
"""
import base64
import functools
import hashlib
import heapq
import hmac
import itertools
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from urllib.parse import quote, urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils import timezone

from tickets.overdue import Delay

from .models import SECRET_PREFIX

RESPONSE_BODY_CHARS = 1000
# Read at most this much of an answer: only the first 1,000 characters are kept.
_MAX_BODY_BYTES = 8 * 1024
_watchdogs = threading.local()


class _Watchdog:
    """Shuts the sockets of one attempt down at its deadline (see the module docstring)."""

    def __init__(self, seconds):
        self.fired = False
        self.stopped = False
        self.deadline = time.monotonic() + seconds
        self._sockets = []
        self._lock = threading.Lock()

    def __enter__(self):
        _watchdogs.current = self
        _deadlines.arm(self)
        return self

    def __exit__(self, *exc):
        self.stop()
        _watchdogs.current = None

    def watch(self, sock):
        with self._lock:
            if self.stopped:
                return
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def stop(self):
        """Disarm; True when the deadline had already passed (the exchange may have been cut)."""
        with self._lock:
            self.stopped = True
            self._sockets.clear()
            return self.fired

    def fire(self):
        with self._lock:
            if self.stopped:
                return
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)


class _Deadlines:
    """Every attempt's deadline, kept by one thread: a heap of watchdogs ordered by deadline.

    A `threading.Timer` per attempt started (and then cancelled) a thread per webhook or push: at
    2,000 pushes and e-mails a scan that was a measurable share of its CPU (bench/notifications.py).
    Here an attempt only pushes itself on the heap; a stopped watchdog is dropped when it reaches the
    top, so the thread wakes for the earliest deadline still armed, not once per attempt. The thread
    starts on first use, and again in a forked child (gunicorn workers): after a fork it is gone.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._heap = []
        self._order = itertools.count()
        self._thread = None

    def arm(self, watchdog):
        with self._cond:
            heapq.heappush(self._heap, (watchdog.deadline, next(self._order), watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="delivery-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watchdog:
                self._cond.notify()  # Earlier than what the thread is waiting for.

    def _run(self):
        while True:
            with self._cond:
                while True:
                    while self._heap and self._heap[0][2].stopped:
                        heapq.heappop(self._heap)
                    if not self._heap:
                        self._cond.wait()
                        continue
                    wait = self._heap[0][0] - time.monotonic()
                    if wait <= 0:
                        break
                    self._cond.wait(wait)
                now = time.monotonic()
                due = []
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap)[2])
            for watchdog in due:
                watchdog.fire()


_deadlines = _Deadlines()
os.register_at_fork(after_in_child=_deadlines.__init__)


def _shutdown(sock):
    # The plain socket's shutdown, also for an SSLSocket: its own shutdown() drops the
    # TLS object under the feet of the thread that is reading.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # Already closed, or never connected.


def _watch(sock):
    watchdog = getattr(_watchdogs, "current", None)
    if watchdog is not None and sock is not None:
        watchdog.watch(sock)


class _WatchedConnectionMixin:
    """A new socket, or a pooled one reused for a request, is given to the attempt's watchdog."""

    def _new_conn(self):
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs):
        _watch(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPConnection(_WatchedConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPConnectionPool,
                                                   "https": _WatchedHTTPSConnectionPool}


_session = requests.Session()
# Several runs (and their worker threads) may post at once: keep their connections.
_session.mount("http://", _WatchedAdapter(pool_maxsize=32))
_session.mount("https://", _WatchedAdapter(pool_maxsize=32))

def iso(dt, timespec="seconds"):
    """ISO 8601 with the factory's offset, e.g. 2025-11-12T09:26:00-05:00."""
    return timezone.localtime(dt).isoformat(timespec=timespec) if dt else None


def ticket_url(ticket):
    # Ticket ids contain spaces ("IGP-POLISSEUSE-DOUBLE EDGER-…"): reverse() already
    # quotes the path; quote() again is a no-op on it but guards a hand-built path.
    return settings.SITE_URL + quote(ticket.get_absolute_url(), safe="/%:@-._~")


def build_payload(ticket, *, notification_id, sent_at):
    """The JSON body of an overdue alert. `ticket` comes with machine, reporter and assignee loaded."""
    # In UTC: two datetimes sharing a tzinfo subtract by wall time (an hour off across DST).
    delay = Delay.from_timedelta(sent_at.astimezone(UTC) - ticket.scheduled_date.astimezone(UTC))
    return {
        **_ticket_fields(ticket),
        "overdue_days": delay.days,
        "overdue_hours": delay.hours,
        "overdue_minutes": delay.minutes,
        "overdue_text": delay.text,
        "notification_sent_at": iso(sent_at, "milliseconds"),
        "notification_id": str(notification_id),
        "ticket_url": ticket_url(ticket),
    }


def _ticket_fields(ticket):
    """The ticket's part of an alert body, in the seed's order and with its field names."""
    return {
        "ticket_id": ticket.ticket_id,
        "title": ticket.title,
        "description": ticket.description,
        "priority": ticket.priority,
        "status": ticket.status,
        "machine": f"{ticket.machine.machine_type} {ticket.machine.model}",
        "scheduled_date": iso(ticket.scheduled_date),
        "assigned_to": ticket.assignee_label,
        "reporter": str(ticket.reporter) if ticket.reporter_id else "",
        "created_at": iso(ticket.created_at),
    }


def build_due_soon_payload(ticket, *, notification_id, sent_at, plan=""):
    """The JSON body of a due-soon alert (`notification_type` "due_soon"): the overdue payload's ticket fields
    under the same names, `due_*` (time left, same text form as `overdue_text`) instead of `overdue_*`, and the
    plan's title. The overdue payload itself never changes (Pabbly workflows read it)."""
    left = Delay.from_timedelta(max(timedelta(0), ticket.scheduled_date.astimezone(UTC) - sent_at.astimezone(UTC)))
    return {
        "notification_type": "due_soon",
        **_ticket_fields(ticket),
        "due_in_days": left.days,
        "due_in_hours": left.hours,
        "due_in_minutes": left.minutes,
        "due_text": left.text,
        "plan": plan,
        "notification_sent_at": iso(sent_at, "milliseconds"),
        "notification_id": str(notification_id),
        "ticket_url": ticket_url(ticket),
    }


def test_payload(*, notification_id, sent_at):
    """What the admin's "send a test webhook" action posts: same shape, obviously fake values."""
    return {
        "ticket_id": "IGP-TEST-WEBHOOK",
        "title": "Essai de webhook depuis l'administration",
        "description": "",
        "priority": "low",
        "status": "received",
        "machine": "",
        "scheduled_date": iso(sent_at),
        "assigned_to": "",
        "reporter": "",
        "created_at": iso(sent_at),
        "overdue_days": 0,
        "overdue_hours": 0,
        "overdue_minutes": 0,
        "overdue_text": "0h 0min",
        "notification_sent_at": iso(sent_at, "milliseconds"),
        "notification_id": str(notification_id),
        "ticket_url": settings.SITE_URL + "/",
        "test": True,
    }


def encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    key_bytes = base64.b64decode(key + "=" * (-len(key) % 4))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_bytes, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(*, msg_id: str, body: bytes, secret: str = "", timestamp: int | None = None):
    timestamp = int(timezone.now().timestamp()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "IGP-Maintenance-Webhooks/1.0",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        headers["webhook-signature"] = sign(secret, msg_id, timestamp, body)
    return headers


@dataclass(frozen=True)
class Outcome:
    """What one attempt on any channel came to. Transports return it; they never raise for a fault.

    `status`: HTTP status (webhook, push) or SMTP reply code (e-mail). `retry_after`:
    how long the receiver asked us to wait (push 429/503), honoured when longer than
    our schedule. `gone`: the target no longer exists or refuses for good (push
    404/410, SMTP 5xx): the delivery is given up and, for push, the device removed.
    `final`: this message will be refused the same way every time (a push service's
    400, 403, 413…) although the target stays: given up at once, device kept,
    instead of retried for hours.
    """

    status: int | None
    body: str
    error: str
    duration: timedelta
    retry_after: timedelta | None = None
    gone: bool = False
    final: bool = False

    @property
    def succeeded(self):
        return not self.error


class _DeadlineExceeded(Exception):
    pass


def post(url, body: bytes, headers, *, total_timeout=None, connect_timeout=None, read_timeout=None) -> Outcome:
    """One attempt, over within `total_timeout` whatever the receiver does. Never raises for a network fault."""
    total = total_timeout or settings.WEBHOOK_TOTAL_TIMEOUT
    connect = min(connect_timeout or settings.WEBHOOK_CONNECT_TIMEOUT, total)
    read = min(read_timeout or settings.WEBHOOK_READ_TIMEOUT, total)
    started = time.monotonic()
    deadline = started + total
    status, text, error = None, "", ""
    with _Watchdog(total) as watchdog:
        try:
            with _session.post(url, data=body, headers=headers, timeout=(connect, read), stream=True,
                               allow_redirects=False) as response:
                status = response.status_code
                text = _read_body(response, deadline)
                if watchdog.stop():
                    raise _DeadlineExceeded  # The body may have been cut short by the shutdown.
                if not 200 <= status < 300:
                    error = f"Code HTTP {status} reçu"
        except Exception as exc:  # noqa: BLE001 — a delivery fault must never stop a run
            error = request_error(exc, total=total, connect=connect, read=read)
        if error and watchdog.stop():
            # The watchdog cut the exchange: say so rather than "connection reset".
            error = f"Délai total de {total:g} s dépassé"
    return Outcome(status=status, body=text, error=error, duration=timedelta(seconds=time.monotonic() - started))


@functools.lru_cache(maxsize=64)
def _proxied(origin):
    """Whether the environment sends this origin through a proxy (HTTPS_PROXY, NO_PROXY…): read once per origin
    and process, not at every post (requests reads the environment at each request)."""
    return bool(requests.utils.get_environ_proxies(origin))


def post_small(url, body: bytes, headers, *, connect, read):
    """(status, headers, text): one POST whose answer is short (a push service's), through the watched pool.

    The same connections, sockets and watchdog as `post`, without `requests.Session`'s per-call work
    (environment and proxy lookup, cookies, hooks, a PreparedRequest): the push channel makes thousands of
    these in a scan, and that work was a fifth of its CPU (bench/notifications.py). An origin the
    environment routes through a proxy goes through `requests`, which knows how. Must run under a
    `_Watchdog`; raises what urllib3 or requests raise, which `request_error` words.
    """
    parts = urlsplit(url)
    if _proxied(f"{parts.scheme}://{parts.netloc}"):
        with _session.post(url, data=body, headers=headers, timeout=(connect, read), allow_redirects=False) as r:
            return r.status_code, r.headers, r.text[:RESPONSE_BODY_CHARS]
    pool = _session.get_adapter(url).poolmanager
    response = pool.urlopen("POST", url, body=body, headers=headers, retries=False, redirect=False,
                            timeout=urllib3.Timeout(connect=connect, read=read), preload_content=False)
    try:
        data = response.read(_MAX_BODY_BYTES)
        complete = response.read(1) == b"" if len(data) == _MAX_BODY_BYTES else True
    except BaseException:
        response.close()
        raise
    if complete:
        response.release_conn()  # Read to its end: the connection goes back to the pool.
    else:
        response.close()  # A longer answer than we read: this connection is not reused.
    return response.status, response.headers, data.decode("utf-8", errors="replace")[:RESPONSE_BODY_CHARS]


def request_error(exc, *, total, connect, read):
    """The French text recorded for an HTTP exchange that failed with `exc` (webhook and push alike).

    `exc` comes from requests (`post`) or from urllib3 itself (`post_small`); each family's classes side by
    side, in an order that matters: urllib3's NewConnectionError (a refused connection) is a
    ConnectTimeoutError, requests' ConnectTimeout a ConnectionError, and every requests error an OSError.
    """
    errors = urllib3.exceptions
    if isinstance(exc, _DeadlineExceeded):
        return f"Délai total de {total:g} s dépassé"
    if isinstance(exc, errors.NewConnectionError):
        return f"Connexion impossible : {_short(exc)}"
    if isinstance(exc, (requests.exceptions.ConnectTimeout, errors.ConnectTimeoutError)):
        return f"Délai de connexion de {connect:g} s dépassé"
    if isinstance(exc, (requests.exceptions.ReadTimeout, errors.ReadTimeoutError)):
        return f"Délai de lecture de {read:g} s dépassé"
    if isinstance(exc, (requests.exceptions.ConnectionError, errors.ProtocolError, errors.SSLError)):
        return f"Connexion impossible : {_short(exc)}"
    if isinstance(exc, (requests.exceptions.RequestException, errors.HTTPError)):
        return f"Erreur HTTP : {_short(exc)}"
    if isinstance(exc, OSError):  # A socket error urllib3 let through (reset while reading…).
        return f"Connexion impossible : {_short(exc)}"
    return f"Erreur inattendue : {type(exc).__name__}: {_short(exc)}"


def _read_body(response, deadline):
    """Read up to _MAX_BODY_BYTES in small pieces, giving up at the deadline."""
    raw = response.raw
    chunks, size = [], 0
    while size < _MAX_BODY_BYTES:
        if time.monotonic() > deadline:
            raise _DeadlineExceeded
        # read1 returns as soon as *some* bytes arrived, so a trickle cannot make
        # one call block for a whole chunk.
        chunk = raw.read1(1024) if hasattr(raw, "read1") else raw.read(1024)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if time.monotonic() > deadline:
        raise _DeadlineExceeded
    charset = response.encoding or "utf-8"
    return b"".join(chunks).decode(charset, errors="replace")[:RESPONSE_BODY_CHARS]


def _short(exc, limit=300):
    """The useful part of urllib3's nested messages: "[Errno 111] Connection refused"."""
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\][^)\"']*", text)
    return match.group(0).strip() if match else text[:limit]
