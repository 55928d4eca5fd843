"""How one Web Push is sent. The only module that talks to a push service.

`send_push()` signs a VAPID token (RFC 8292) for the push service's origin,
encrypts the payload for the device (RFC 8291, `aes128gcm`, done by pywebpush's
`WebPusher`) and posts it, all within `total_timeout` whatever the push service
does: the request goes through the webhook sender's connection pool and watchdog
(`notifications.delivery.post_small`), which shuts the socket down at the deadline. It never
raises for a network fault; the `Outcome` says what happened:

- 200/201/202: delivered to the push service (`succeeded`).
- 404/410 (or keys that cannot be used): the subscription no longer exists (`gone=True`): the caller deletes it
  (`notifications.push.record_outcome`).
- 429 and 5xx: try again later, after the push service's `Retry-After` (seconds or
  an HTTP date) when it gave one (`retry_after`); network faults and timeouts too.
- Any other 4xx (bad token, payload too large…): failed, and retrying the same
  request would fail the same way: `retryable(outcome)` is False.
"""
import functools
import time
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from notifications import push
from notifications.delivery import Outcome, _DeadlineExceeded, _short, _Watchdog, post_small, request_error

URGENCIES = ("very-low", "low", "normal", "high")
# A VAPID token may live 24 h at most (RFC 8292 §2); 12 h leaves room for clock skew.
TOKEN_LIFETIME_SECONDS = 12 * 3600
# A push service asking for a longer pause than this is asked again after a day.
MAX_RETRY_AFTER = timedelta(days=1)


@functools.lru_cache(maxsize=2)
def _vapid(private_key):
    from py_vapid import Vapid02

    return Vapid02.from_raw(private_key.encode())


# A signed header is reused for this long (of its 12 h) for the same push service: a scan of 1,000 pushes to
# one service signs once, not 1,000 times (the push services expect tokens to be reused: RFC 8292 §2).
TOKEN_REUSE_SECONDS = 3600
_signed = {}  # (audience, subject, private key) → (expires at, headers)


def vapid_headers(endpoint, *, now_ts=None):
    """`Authorization: vapid t=<ES256 JWT>,k=<public key>` for the endpoint's origin.

    Signed once per push service and reused for `TOKEN_REUSE_SECONDS` (several
    threads may sign at the same instant: each token is valid, the last one
    stays). `now_ts` (tests) always signs a fresh token for that instant.
    """
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    key = (audience, settings.VAPID_SUBJECT, settings.VAPID_PRIVATE_KEY)
    now = time.time()
    if now_ts is None:
        cached = _signed.get(key)
        if cached is not None and now < cached[0]:
            return dict(cached[1])
    issued = now_ts if now_ts is not None else now
    headers = _vapid(settings.VAPID_PRIVATE_KEY).sign(
        {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": int(issued) + TOKEN_LIFETIME_SECONDS})
    if now_ts is None:
        _signed[key] = (now + TOKEN_REUSE_SECONDS, headers)
    return dict(headers)


def parse_retry_after(value, *, now=None):
    """Retry-After as a timedelta: "120" or "Wed, 21 Oct 2026 07:28:00 GMT"; None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - (now or timezone.now())
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))


def retryable(outcome: Outcome) -> bool:
    """Whether sending the same push again later may work: not after success, 404/410 or another 4xx."""
    return not (outcome.succeeded or outcome.gone or outcome.final)


def send_push(*, subscription, payload: dict, ttl=None, urgency="normal", total_timeout=None) -> Outcome:
    """One push to one device, over within `total_timeout` (default WEBPUSH_TOTAL_TIMEOUT). Never raises.

    `subscription` is a `PushSubscription` (or anything with `endpoint` and
    `subscription_info()`); `payload` comes from `notifications.push.build_payload`.
    """
    from pywebpush import WebPusher, WebPushException  # Its encryption (RFC 8291); the post is ours.

    total = total_timeout or settings.WEBPUSH_TOTAL_TIMEOUT
    connect = min(settings.WEBHOOK_CONNECT_TIMEOUT, total)
    ttl = settings.WEBPUSH_TTL_SECONDS if ttl is None else int(ttl)
    started = time.monotonic()
    status, text, error, retry_after, gone, final = None, "", "", None, False, False
    with _Watchdog(total) as watchdog:
        try:
            body = WebPusher(subscription.subscription_info()).encode(push.encode_payload(payload),
                                                                     "aes128gcm")["body"]
            headers = {**vapid_headers(subscription.endpoint),
                       "Urgency": urgency if urgency in URGENCIES else "normal",
                       "Content-Type": "application/octet-stream", "Content-Encoding": "aes128gcm",
                       "TTL": str(ttl)}
            status, answer_headers, text = post_small(subscription.endpoint, body, headers,
                                                      connect=connect, read=total)
            if watchdog.stop():
                status = None
                raise _DeadlineExceeded
            if status in (404, 410):
                gone = True
                error = f"Abonnement disparu (code HTTP {status}) : appareil retiré"
            elif not 200 <= status < 300:
                error = f"Code HTTP {status} reçu"
                if status == 429 or status >= 500:
                    retry_after = parse_retry_after(answer_headers.get("Retry-After"))
                elif 400 <= status < 500:
                    final = True  # Sending the same push again would be refused the same way.
        except WebPushException as exc:
            # Keys that cannot be used (checked at subscription, so only a row edited by hand):
            # no push will ever reach this device, so it goes like one the push service forgot.
            gone, error = True, f"Abonnement inutilisable : {_short(exc.message)}"
        except Exception as exc:  # noqa: BLE001 — a delivery fault must never stop a run
            error = request_error(exc, total=total, connect=connect, read=total)
        if error and status is None and watchdog.stop():
            error = f"Délai total de {total:g} s dépassé"
    return Outcome(status=status, body=text, error=error, duration=timedelta(seconds=time.monotonic() - started),
                   retry_after=retry_after, gone=gone, final=final)


# --- The outbox's push channel (notifications.services / fanout) -----------------------
# A push `Delivery` names its device by `target` = the PushSubscription's id (text).
# The fan-out asks `targets()` for the devices; the scan calls `preload()` on the
# main thread before sending (the worker threads run no query), then `send()`,
# `lane()` and, for a device the push service forgot, `forget()`.
GONE_DEVICE = "Appareil désabonné entre-temps : rien à envoyer"


def targets(user_ids):
    """{user_id: [subscription id, ...]} in one query; nothing while Web Push is not configured."""
    from notifications.models import PushSubscription

    if not push.configured():
        return {}
    found = {}
    for pk, user_id in PushSubscription.objects.filter(user_id__in=user_ids).values_list("pk", "user_id"):
        found.setdefault(user_id, []).append(str(pk))
    return found


def preload(rows):
    """Attach each push row's subscription (one query), so `send` and `lane` run no query."""
    from notifications.models import PushSubscription

    ids = {int(r.target) for r in rows if str(r.target).isdigit()}
    subscriptions = PushSubscription.objects.in_bulk(ids) if ids else {}
    for row in rows:
        row.subscription = subscriptions.get(int(row.target)) if str(row.target).isdigit() else None


def _subscription(delivery):
    if not hasattr(delivery, "subscription"):
        preload([delivery])
    return delivery.subscription


def lane(delivery):
    """Deliveries to one push service (Google's, Mozilla's…) share a lane."""
    subscription = _subscription(delivery)
    if subscription is None:
        return "push"
    parts = urlsplit(subscription.endpoint)
    return f"push {parts.scheme}://{parts.netloc}"


def payload_for(delivery):
    """The JSON the service worker shows, in the recipient's language (no query: relations preloaded)."""
    from django.utils import translation

    notification = delivery.person_notification
    language = notification.recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return push.build_payload(
            id=delivery.notification_id, kind=notification.kind, title=notification.title,
            body=notification.body, url=notification.get_absolute_url(), tag=notification.key[:64],
            critical=notification.priority == "critical")


def send(delivery):
    """One attempt for one outbox row. A device removed meanwhile is `gone` (given up, nothing sent)."""
    subscription = _subscription(delivery)
    if subscription is None:
        return Outcome(status=None, body="", error=GONE_DEVICE, duration=timedelta(0), gone=True)
    critical = delivery.person_notification.priority == "critical"
    return send_push(subscription=subscription, payload=payload_for(delivery),
                     urgency="high" if critical else "normal")


def forget(delivery):
    """The push service answered 404/410: this device no longer receives anything."""
    from notifications.models import PushSubscription

    if str(delivery.target).isdigit():
        PushSubscription.objects.filter(pk=int(delivery.target)).delete()
