"""Every attempt ends within WEBHOOK_TOTAL_TIMEOUT (+1 s), whatever the receiver does.

Each receiver here is ours, on 127.0.0.1, misbehaving at one stage of the
exchange. `requests`' read timeout restarts with every byte, so before the
watchdog a receiver trickling its headers held one attempt (and the run, and
the cron call) for minutes.
"""
import socket
import time
from datetime import timedelta

import pytest

from notifications import delivery
from notifications.models import OverdueAlert, WebhookNotification
from notifications.services import run_overdue_scan
from tests.conftest import NOW

from .conftest import CRON_SECRET, trickle

TOTAL = 1.5
# The promise is the total plus one second; a loaded CI box gets no more than that.
BOUND = TOTAL + 1.0
DEADLINE_ERROR = "Délai total de 1.5 s dépassé"
STATUS_LINE = b"HTTP/1.1 200 OK\r\n"


def silent(conn, stop):
    stop.wait(30)


def slow_status_line(conn, stop):
    trickle(conn, stop, STATUS_LINE + b"Content-Length: 0\r\n\r\n", every=0.2)


def slow_headers(conn, stop):
    conn.sendall(STATUS_LINE)
    trickle(conn, stop, b"X-Slow: " + b"a" * 1000 + b"\r\n\r\n", every=0.2)


def slow_body(conn, stop):
    conn.sendall(STATUS_LINE + b"Content-Length: 1000\r\n\r\n")
    trickle(conn, stop, b"x" * 1000, every=0.2)


def endless_body(conn, stop):
    conn.sendall(STATUS_LINE + b"Transfer-Encoding: chunked\r\n\r\n")
    while not stop.wait(0.05):
        conn.sendall(b"1\r\nx\r\n")


def huge_body(conn, stop):
    conn.sendall(STATUS_LINE + b"Content-Length: 104857600\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(1600):
        if stop.is_set():
            return
        conn.sendall(chunk)


def timed_post(url):
    started = time.monotonic()
    outcome = delivery.post(url, b"{}", {}, total_timeout=TOTAL, connect_timeout=10, read_timeout=10)
    return outcome, time.monotonic() - started


@pytest.mark.parametrize("behave", [silent, slow_status_line, slow_headers, slow_body, endless_body],
                         ids=lambda f: f.__name__)
def test_an_attempt_to_a_stalling_receiver_ends_at_the_total_deadline_with_a_french_error(raw_receiver, behave):
    receiver = raw_receiver(behave)

    outcome, elapsed = timed_post(receiver.url)

    assert outcome.error == DEADLINE_ERROR
    assert not outcome.succeeded
    assert elapsed < BOUND


def test_an_attempt_to_a_receiver_that_never_accepts_ends_at_the_total_deadline(raw_receiver):
    receiver = raw_receiver(silent, backlog=0)
    receiver.stop.set()  # Nobody accepts: the backlog fills, further connects wait for a SYN-ACK.
    fillers = []
    for _ in range(8):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(receiver.sock.getsockname())
        fillers.append(s)
    try:
        outcome, elapsed = timed_post(receiver.url)
    finally:
        for s in fillers:
            s.close()

    assert outcome.error.startswith("Délai")
    assert elapsed < BOUND


def test_a_huge_answer_is_not_read_to_the_end(raw_receiver):
    receiver = raw_receiver(huge_body)

    outcome, elapsed = timed_post(receiver.url)

    assert outcome.succeeded, outcome.error
    assert len(outcome.body) == delivery.RESPONSE_BODY_CHARS
    assert elapsed < BOUND


def test_a_deadline_does_not_spill_over_onto_the_next_attempt_on_a_pooled_connection(raw_receiver, receiver):
    stalling = raw_receiver(slow_headers)
    assert timed_post(stalling.url)[0].error == DEADLINE_ERROR

    for _ in range(3):  # Kept-alive connections to a good receiver, each under a fresh watchdog.
        outcome, _elapsed = timed_post(receiver.url)
        assert outcome.succeeded, outcome.error
    time.sleep(TOTAL + 0.2)  # The first attempts' timers would have fired by now.
    assert timed_post(receiver.url)[0].succeeded


@pytest.mark.django_db
def test_a_run_against_a_receiver_trickling_its_headers_records_the_timeout_and_frees_the_alert(
    raw_receiver, overdue_ticket, settings
):
    settings.WEBHOOK_TOTAL_TIMEOUT = TOTAL
    settings.OVERDUE_WEBHOOK_URL = raw_receiver(slow_headers).url
    ticket = overdue_ticket()

    started = time.monotonic()
    result = run_overdue_scan(now=NOW)

    assert time.monotonic() - started < BOUND + 1.0  # The attempt, plus the run's own queries on a busy box.
    assert [d.error for d in result.failed] == [DEADLINE_ERROR]
    record = WebhookNotification.objects.get(ticket=ticket)
    assert record.error == DEADLINE_ERROR
    assert record.duration < timedelta(seconds=BOUND)
    assert record.error != WebhookNotification.SENDING
    alert = OverdueAlert.objects.get(ticket=ticket)
    assert alert.claimed_until is None
    assert alert.attempts == 1


@pytest.mark.django_db
def test_the_cron_call_answers_within_the_budget_plus_one_attempt_when_the_receiver_stalls(
    raw_receiver, overdue_ticket, settings, client
):
    settings.WEBHOOK_TOTAL_TIMEOUT = TOTAL
    settings.OVERDUE_RUN_BUDGET_SECONDS = 2.0
    settings.OVERDUE_WEBHOOK_URL = raw_receiver(slow_headers).url
    for title in ("Un", "Deux", "Trois"):
        overdue_ticket(title=title)

    started = time.monotonic()
    response = client.post("/api/cron/check-overdue", HTTP_AUTHORIZATION=f"Bearer {CRON_SECRET}")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    answer = response.json()
    assert answer["notifications_sent"] == 0
    assert [e["error"] for e in answer["errors"]] == [DEADLINE_ERROR] * 2
    assert answer["remaining"] == 1
    assert elapsed < 2.0 + BOUND
    assert not WebhookNotification.objects.filter(error=WebhookNotification.SENDING).exists()
