"""Web Push against a push service of our own on 127.0.0.1 (tests/notifications/pushservice.py).

The stand-in verifies the VAPID token and decrypts the body with the device's
keys, so "delivered" here means what a phone would show.
"""
# ruff: noqa: F811
import time
from datetime import UTC, timedelta
from email.utils import format_datetime

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.utils import timezone

from notifications import push
from notifications.models import PushSubscription
from notifications.transports.webpush import parse_retry_after, retryable, send_push, vapid_headers
from tests.conftest import NOW

from .pushservice import PushServiceStandIn, new_key_pair, push_service, vapid  # noqa: F401

pytestmark = pytest.mark.django_db

PAYLOAD = {"id": "7d1c", "kind": "assigned", "title": "Ticket assigné : fuite à la polisseuse",
           "body": "IGP-POLISSEUSE-DOUBLE EDGER-20251112-001 · priorité critique — « à voir avant 10 h »",
           "url": "/tickets/IGP-POLISSEUSE-DOUBLE%20EDGER-20251112-001/", "tag": "ticket-1", "critical": True}


def http_date(moment):
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@pytest.fixture
def device(push_service, vapid, technician):
    """A phone that turned notifications on: subscribed at the stand-in, stored by the server."""
    info = push_service.new_subscription(vapid)
    return push.subscribe(user=technician, data=info, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/131.0",
                          now=timezone.now())


def test_a_push_reaches_the_device_decrypted_and_intact(push_service, device):
    outcome = send_push(subscription=device, payload=PAYLOAD, ttl=3600, urgency="high")

    assert outcome.succeeded and outcome.status == 201 and not outcome.gone
    assert push_service.payloads() == [PAYLOAD]
    received = push_service.received[0]
    assert received.headers["ttl"] == "3600" and received.headers["urgency"] == "high"
    assert received.claims["aud"] == push_service.origin
    assert received.claims["sub"] == "mailto:maintenance@igp.test"
    assert push_service.rejected == []


def test_pushes_to_one_service_reuse_its_signed_token_and_another_service_gets_its_own(push_service, device, vapid):
    """One ES256 signature per push service per hour, not per push (RFC 8292 §2 expects tokens to be reused)."""
    first = vapid_headers(device.endpoint)["Authorization"]
    again = vapid_headers(device.endpoint.replace("/push/", "/push/other-device-"))["Authorization"]
    elsewhere = PushServiceStandIn()
    other = vapid_headers(elsewhere.origin + "/push/x")["Authorization"]
    elsewhere.server.server_close()

    assert again == first and other != first
    with time_machine.travel(time.time() + 3601, tick=False):
        assert vapid_headers(device.endpoint)["Authorization"] != first  # Signed anew after an hour.
    assert send_push(subscription=device, payload=PAYLOAD).succeeded  # A reused token is still accepted.


def test_the_stand_in_refuses_a_forged_an_expired_or_misaddressed_token(push_service, device, vapid):
    """Proof that the stand-in checks: the same encrypted body with a bad token is not delivered."""
    good = vapid_headers(device.endpoint)["Authorization"]
    scheme, params = good.split(" ", 1)
    parts = dict(p.split("=", 1) for p in params.split(","))
    head, claims, signature = parts["t"].split(".")
    forged = f"vapid t={head}.{claims[:-2]}AA.{signature},k={parts['k']}"
    expired = vapid_headers(device.endpoint, now_ts=time.time() - 13 * 3600)["Authorization"]
    elsewhere = PushServiceStandIn()  # another origin: its token's aud is not ours
    misaddressed = vapid_headers(elsewhere.origin + "/push/x")["Authorization"]
    elsewhere.server.server_close()

    answers = []
    for authorization in (forged, expired, misaddressed, "WebPush abc"):
        response = requests.post(device.endpoint, data=b"x" * 100, timeout=5,
                                 headers={"Authorization": authorization, "TTL": "60",
                                          "Content-Encoding": "aes128gcm"})
        answers.append(response.status_code)

    assert answers == [401, 401, 401, 401]
    reasons = [reason for _token, reason in push_service.rejected]
    assert reasons[0] in ("bad signature", "unreadable token")
    assert reasons[1].startswith("exp") and reasons[2].startswith("aud")
    assert push_service.received == []


def test_a_push_signed_with_another_key_pair_is_refused_and_not_delivered(push_service, device, settings):
    """The server's keys were changed after the phone subscribed: the push service says 403."""
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_key_pair()

    outcome = send_push(subscription=device, payload=PAYLOAD)

    assert outcome.status == 403 and not outcome.succeeded and not retryable(outcome)
    assert push_service.rejected[0][1] == "key is not the one the subscription was made with"
    assert push_service.received == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_gone_and_deleted(push_service, device, status, now):
    push_service.answer(status)

    outcome = send_push(subscription=device, payload=PAYLOAD)
    push.record_outcome(device, outcome, now=now)

    assert outcome.gone and not outcome.succeeded and not retryable(outcome)
    assert f"code HTTP {status}" in outcome.error
    assert not PushSubscription.objects.filter(pk=device.pk).exists()


def test_a_phone_that_unsubscribed_is_answered_410_and_its_row_goes(push_service, device, now):
    push_service.forget(device.subscription_info())

    outcome = send_push(subscription=device, payload=PAYLOAD)
    push.record_outcome(device, outcome, now=now)

    assert outcome.status == 410 and outcome.gone
    assert PushSubscription.objects.count() == 0


def test_429_is_retried_after_the_delay_the_push_service_asked_for(push_service, device, now):
    push_service.answer(429, {"Retry-After": "120"})

    outcome = send_push(subscription=device, payload=PAYLOAD)
    push.record_outcome(device, outcome, now=now)

    assert outcome.status == 429 and retryable(outcome) and not outcome.gone
    assert outcome.retry_after == timedelta(seconds=120)
    device.refresh_from_db()
    assert device.failure_count == 1 and device.last_error == "Code HTTP 429 reçu"


def test_a_retry_after_given_as_an_http_date_counts_from_now(push_service, device):
    with time_machine.travel(NOW, tick=False):
        push_service.answer(503, {"Retry-After": http_date(NOW + timedelta(minutes=5))})
        outcome = send_push(subscription=device, payload=PAYLOAD)

    assert outcome.status == 503 and retryable(outcome)
    assert outcome.retry_after == timedelta(minutes=5)


def test_500_is_retried_and_the_next_push_succeeds(push_service, device, now):
    push_service.answer(500)

    first = send_push(subscription=device, payload=PAYLOAD)
    push.record_outcome(device, first, now=now)
    second = send_push(subscription=device, payload=PAYLOAD)
    push.record_outcome(device, second, now=now)

    assert first.status == 500 and retryable(first) and first.retry_after is None
    assert second.succeeded and push_service.payloads() == [PAYLOAD]
    device.refresh_from_db()
    assert device.failure_count == 0 and device.last_success_at == now


def test_another_4xx_fails_without_retry(push_service, device):
    push_service.answer(413)

    outcome = send_push(subscription=device, payload=PAYLOAD)

    assert outcome.status == 413 and not outcome.succeeded and not retryable(outcome) and not outcome.gone


def test_a_push_service_that_never_answers_holds_a_push_no_longer_than_its_total_timeout(push_service, device):
    push_service.hang(30)

    started = time.monotonic()
    outcome = send_push(subscription=device, payload=PAYLOAD, total_timeout=0.5)
    took = time.monotonic() - started

    assert took < 1.5
    assert outcome.error == "Délai total de 0.5 s dépassé" and retryable(outcome)


def test_a_push_service_that_is_down_is_an_error_not_an_exception(vapid, technician, settings):
    service = PushServiceStandIn()  # bound, never started, then closed: the port refuses connections
    info = service.new_subscription(vapid)
    service.server.server_close()
    subscription = push.subscribe(user=technician, data=info, now=timezone.now())

    outcome = send_push(subscription=subscription, payload=PAYLOAD, total_timeout=2)

    assert outcome.error.startswith("Connexion impossible") and retryable(outcome)


def test_pushes_to_a_service_that_keeps_connections_share_one(push_service, device):
    """The posts go through the kept pool (delivery.post_small): a second push does not reconnect."""
    push_service.keep_alive = True
    for _ in range(3):
        assert send_push(subscription=device, payload=PAYLOAD).succeeded
    assert len(push_service.payloads()) == 3
    assert len(push_service.connections) == 1


def test_a_proxy_set_in_the_environment_is_used_for_pushes(push_service, device, monkeypatch):
    """HTTP(S)_PROXY is honoured as requests honours it: here it points at a closed port, so the push fails."""
    from notifications import delivery

    closed = PushServiceStandIn()
    closed.server.server_close()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", closed.origin)
    delivery._proxied.cache_clear()
    try:
        outcome = send_push(subscription=device, payload=PAYLOAD, total_timeout=2)
    finally:
        delivery._proxied.cache_clear()

    assert outcome.error.startswith("Connexion impossible") and retryable(outcome)
    assert push_service.payloads() == []


def test_every_deadline_is_kept_by_one_thread(push_service, device):
    """Forty pushes cut at their deadline at once: one deadline thread, not a timer thread per push."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    push_service.hang(30)
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _i: send_push(subscription=device, payload=PAYLOAD, total_timeout=0.3),
                                 range(40)))
    # Cut by the watchdog, or by the read timeout when it is the same 0.3 s and comes first: timeouts both.
    assert all(o.error.startswith("Délai") and o.error.endswith("0.3 s dépassé") for o in outcomes)
    names = [t.name for t in threading.enumerate()]
    assert names.count("delivery-deadlines") == 1 and not any(n.startswith("Thread-") and "Timer" in n
                                                                  for n in names)


def test_retry_after_reads_seconds_and_dates_and_ignores_nonsense():
    assert parse_retry_after("0") == timedelta(0)
    assert parse_retry_after("") is None and parse_retry_after("soon") is None
    assert parse_retry_after("999999") == timedelta(days=1)  # asked again after a day at most
    assert parse_retry_after(http_date(NOW - timedelta(hours=1)), now=NOW) == timedelta(0)


# --- Subscriptions ----------------------------------------------------------------------

def test_the_same_device_subscribing_for_another_person_now_notifies_only_him(push_service, vapid, technician,
                                                                               technician2, now):
    info = push_service.new_subscription(vapid)
    push.subscribe(user=technician, data=info, now=now)
    push.subscribe(user=technician2, data=info, now=now)

    assert list(PushSubscription.objects.values_list("user", flat=True)) == [technician2.pk]


def test_a_subscription_to_an_unknown_push_service_or_with_bad_keys_is_refused(push_service, vapid, technician,
                                                                               settings, now):
    from django.core.exceptions import ValidationError

    info = push_service.new_subscription(vapid)
    settings.WEBPUSH_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="service push"):
        push.subscribe(user=technician, data=info, now=now)
    settings.WEBPUSH_ALLOW_HTTP = True
    for bad in ({**info, "endpoint": "http://10.0.0.5/admin"},
                {**info, "keys": {"p256dh": "AAAA", "auth": info["keys"]["auth"]}},
                {**info, "keys": {}}, "nonsense"):
        with pytest.raises(ValidationError):
            push.subscribe(user=technician, data=bad, now=now)
    assert PushSubscription.objects.count() == 0


def test_known_push_services_are_accepted_over_https(settings):
    for endpoint in ("https://fcm.googleapis.com/fcm/send/abc", "https://web.push.apple.com/QGx",
                     "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
                     "https://wns2-par02p.notify.windows.com/w/?token=x"):
        assert push._endpoint_allowed(endpoint), endpoint
    for endpoint in ("http://fcm.googleapis.com/fcm/send/abc", "https://evilfcm.googleapis.com.attacker.test/",
                     "https://127.0.0.1/push"):
        assert not push._endpoint_allowed(endpoint), endpoint


def test_unsubscribing_removes_only_my_own_device(device, technician2):
    assert not push.unsubscribe(user=technician2, endpoint=device.endpoint)
    assert push.unsubscribe(user=device.user, endpoint=device.endpoint)
    assert PushSubscription.objects.count() == 0


def test_devices_are_named_after_their_browser():
    assert push.device_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1") == "Safari · iPhone"
    assert push.device_label("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                             "Chrome/131.0.0.0 Mobile Safari/537.36") == "Chrome · Android"
    assert push.device_label("") == "Navigateur inconnu"


# --- Payload ----------------------------------------------------------------------------

def test_a_long_message_is_cut_to_fit_a_push():
    payload = push.build_payload(id=1, kind="overdue", title="T" * 500, body="mot " * 5000, url="/tickets/X/")

    assert len(push.encode_payload(payload)) <= push.MAX_PAYLOAD_BYTES
    assert payload["title"].endswith("…") and len(payload["title"]) == push.TITLE_CHARS
    assert payload["tag"] == "overdue" and payload["critical"] is False


def test_a_payload_opens_only_a_page_of_this_site():
    for url in ("https://evil.test/", "//evil.test/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            push.build_payload(id=1, kind="k", title="t", body="b", url=url)


# --- Configuration ------------------------------------------------------------------------

def test_without_keys_push_is_not_configured_and_production_check_says_so(settings):
    from django.core import checks

    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = settings.VAPID_SUBJECT = ""
    assert not push.configured()
    settings.DEBUG = False
    errors = [e for e in checks.run_checks(include_deployment_checks=True) if e.id.startswith("notifications.")]
    assert [e.id for e in errors] == ["notifications.E001"]
    assert "generate_vapid_keys" in errors[0].msg
    settings.DEBUG = True
    assert [e for e in checks.run_checks(include_deployment_checks=True) if e.id.startswith("notifications.")] == []


def test_keys_from_two_different_pairs_are_an_error_on_every_command(settings, vapid):
    from django.core import checks

    settings.VAPID_PRIVATE_KEY = new_key_pair()[1]
    errors = [e.id for e in checks.run_checks() if e.id.startswith("notifications.")]

    assert errors == ["notifications.E002"] and not push.configured()
    assert "ne correspond pas" in push.problem()


def test_generate_vapid_keys_prints_lines_that_configure_push(capsys, settings):
    call_command("generate_vapid_keys", "--subject", "mailto:chef@igp.test")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = lines["VAPID_PUBLIC_KEY"], lines["VAPID_PRIVATE_KEY"]
    settings.VAPID_SUBJECT = lines["VAPID_SUBJECT"]
    assert push.problem() == "" and settings.VAPID_SUBJECT == "mailto:chef@igp.test"
