"""Payload, signature and the HTTP attempt: what a receiver sees."""
import socket
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses
import urllib3
from standardwebhooks import Webhook

from notifications import delivery
from notifications.models import WebhookEndpoint
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import HOOK_URL, hook_ok, posted

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.django_db
def test_the_payload_keeps_the_original_fields_and_adds_the_alert_id_and_link(overdue_ticket, hooks, technician):
    ticket = overdue_ticket(title="Ajouter de la graisse", description="Engrenages", priority="high")
    hook_ok(hooks)

    run_overdue_scan(now=NOW)

    [payload] = posted(hooks)
    assert payload == {
        "ticket_id": ticket.ticket_id,
        "title": "Ajouter de la graisse",
        "description": "Engrenages",
        "priority": "high",
        "status": "received",
        "machine": "Polisseuse Double Edger",
        "scheduled_date": "2025-11-10T00:00:00-05:00",
        "assigned_to": "Jean Technicien",
        "reporter": "Marc Superviseur",
        "created_at": "2025-11-09T09:26:00-05:00",
        "overdue_days": 2,
        "overdue_hours": 9,
        "overdue_minutes": 26,
        "overdue_text": "2 jour(s) 9h 26min",
        "notification_sent_at": payload["notification_sent_at"],
        "notification_id": payload["notification_id"],
        "ticket_url": "https://maintenance.igp.test/tickets/IGP-POLISSEUSE-DOUBLE%20EDGER-20251109-001/",
    }
    assert payload["notification_sent_at"].startswith("2025-11-12T09:26:00.")
    assert payload["notification_sent_at"].endswith("-05:00")
    uuid.UUID(payload["notification_id"])


@pytest.mark.django_db
def test_a_signed_alert_is_verified_by_the_standard_webhooks_library(overdue_ticket, hooks, settings):
    settings.OVERDUE_WEBHOOK_SECRET = SECRET
    overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)  # Signed with the real clock: receivers check the timestamp against theirs.

    request = hooks.calls[0].request
    payload = Webhook(SECRET).verify(request.body, dict(request.headers))
    assert payload["notification_id"] == request.headers["webhook-id"]
    assert request.headers["webhook-signature"].startswith("v1,")


@pytest.mark.django_db
def test_an_unsigned_destination_gets_the_id_and_timestamp_but_no_signature(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)

    headers = hooks.calls[0].request.headers
    assert "webhook-id" in headers and "webhook-timestamp" in headers
    assert "webhook-signature" not in headers


def test_a_retry_is_signed_afresh_with_the_same_id():
    body = b'{"a":1}'
    first = delivery.signature_headers(msg_id="abc", body=body, secret=SECRET, timestamp=1_700_000_000)
    retry = delivery.signature_headers(msg_id="abc", body=body, secret=SECRET, timestamp=1_700_000_600)
    assert first["webhook-id"] == retry["webhook-id"]
    assert first["webhook-signature"] != retry["webhook-signature"]


def test_a_refused_connection_comes_back_as_an_error_not_an_exception():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # Closed when the block ends: nobody listens there.
    outcome = delivery.post(f"http://127.0.0.1:{port}/", b"{}", {})
    assert not outcome.succeeded
    assert outcome.status is None
    assert outcome.error == "Connexion impossible : [Errno 111] Connection refused"


@responses.activate
def test_a_read_timeout_comes_back_as_an_error():
    responses.add(responses.POST, HOOK_URL, body=requests.exceptions.ReadTimeout("slow"))
    outcome = delivery.post(HOOK_URL, b"{}", {})
    assert outcome.error.startswith("Délai de lecture")


@responses.activate
def test_a_non_2xx_answer_is_a_failure_with_its_status_and_body():
    responses.add(responses.POST, HOOK_URL, body="x" * 5000, status=500)
    outcome = delivery.post(HOOK_URL, b"{}", {})
    assert not outcome.succeeded
    assert outcome.status == 500
    assert outcome.error == "Code HTTP 500 reçu"
    assert len(outcome.body) == 1000


@responses.activate
def test_an_unexpected_fault_in_the_http_library_does_not_escape():
    responses.add(responses.POST, HOOK_URL, body=ValueError("boom"))
    outcome = delivery.post(HOOK_URL, b"{}", {})
    assert outcome.error.startswith("Erreur inattendue : ValueError")


def test_a_receiver_that_trickles_its_answer_is_cut_at_the_total_deadline():
    stop = threading.Event()

    class Trickle(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):  # One byte every 50 ms: each one restarts requests' read timeout.
                if stop.is_set():
                    return
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        outcome = delivery.post(f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {},
                                total_timeout=0.4, read_timeout=5)
        # The whole answer would take 50 s; being cut within seconds is the behaviour (the bound is loose on
        # purpose: a busy CI machine must not make this a timing test).
        assert time.monotonic() - started < 10
        assert outcome.error == "Délai total de 0.4 s dépassé"
        assert outcome.duration < timedelta(seconds=10)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_each_destination_gets_its_own_alert_with_its_own_secret(overdue_ticket, hooks):
    overdue_ticket()
    other = WebhookEndpoint.objects.create(name="Teams", url="http://teams.igp.test/hook", secret=SECRET,
                                           spacing_ms=0)
    hook_ok(hooks)
    hook_ok(hooks, url=other.url)

    run_overdue_scan(now=NOW)

    by_url = {call.request.url: call.request for call in hooks.calls}
    assert set(by_url) == {HOOK_URL, other.url}
    assert "webhook-signature" not in by_url[HOOK_URL].headers
    Webhook(SECRET).verify(by_url[other.url].body, dict(by_url[other.url].headers))


@pytest.mark.parametrize("exc, expected", [
    (urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused"),
     "Connexion impossible : [Errno 111] Connection refused"),
    (urllib3.exceptions.ConnectTimeoutError("slow"), "Délai de connexion de 2 s dépassé"),
    (urllib3.exceptions.ReadTimeoutError(None, "/", "slow"), "Délai de lecture de 5 s dépassé"),
    (urllib3.exceptions.ProtocolError("Connection aborted"), "Connexion impossible"),
    (ConnectionResetError(104, "Connection reset by peer"), "Connexion impossible"),
])
def test_the_push_posts_faults_are_worded_as_the_webhooks_are(exc, expected):
    """post_small raises urllib3's own exceptions: recorded with the same French words as requests' ones."""
    from notifications.delivery import request_error

    assert request_error(exc, total=8, connect=2, read=5).startswith(expected)
