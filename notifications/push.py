"""Web Push: which devices receive a person's notifications, and what is sent to them.

- `configured()` / `problem()`: Web Push needs the VAPID key pair and a subject in
  the settings. Without them it is "not configured": the pages hide the switch and
  no push is sent (the fan-out asks `configured()` before producing a push
  delivery). In production (`DEBUG=False`) `problem()` is also a system check
  error (`notifications.E001`, `manage.py check --deploy`) and the line the scan
  logs, so the sysadmin is told; webhook and e-mail alerts go on regardless.
- `subscribe()` / `unsubscribe()`: a device's subscription, as the browser's
  `PushSubscription.toJSON()` gives it, checked and stored per device (endpoint).
- `build_payload()`: the small JSON the service worker turns into a notification.
- `record_outcome()`: what one push's `Outcome` does to the subscription (a 404/410
  deletes it, a success clears the failure count).

Sending itself is `notifications.transports.webpush.send_push()`.
"""
import base64
import binascii
import functools
import json
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import PushSubscription

# A push message carries at most 4,096 bytes once encrypted (RFC 8291 + the push
# services' limit); aes128gcm adds 86 bytes of header and 17 of padding and tag.
MAX_PAYLOAD_BYTES = 3000
TITLE_CHARS = 120
BODY_CHARS = 400


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- Configuration ---------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _key_problem(public_key: str, private_key: str) -> str:
    """French text saying what is wrong with the pair, or "" (cached: parsed once per process)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        raw_private = b64url_decode(private_key)
        raw_public = b64url_decode(public_key)
    except (binascii.Error, ValueError):
        return _("VAPID_PUBLIC_KEY ou VAPID_PRIVATE_KEY n'est pas du base64url valide.")
    if len(raw_private) != 32:
        return _("VAPID_PRIVATE_KEY doit faire 32 octets (43 caractères base64url).")
    try:
        key = ec.derive_private_key(int.from_bytes(raw_private, "big"), ec.SECP256R1())
    except ValueError:
        return _("VAPID_PRIVATE_KEY n'est pas une clé P-256 valide.")
    derived = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    if derived != raw_public:
        return _("VAPID_PUBLIC_KEY ne correspond pas à VAPID_PRIVATE_KEY : recopiez les deux lignes "
                 "données par generate_vapid_keys.")
    return ""


def problem() -> str:
    """Why Web Push cannot be used, in French for the sysadmin, or "" when it can."""
    public, private, subject = settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT
    if not (public and private):
        return _("Notifications push non configurées : VAPID_PUBLIC_KEY et VAPID_PRIVATE_KEY manquent. "
                 "Lancez « python manage.py generate_vapid_keys » et copiez ses lignes dans le fichier "
                 "de réglages (ENV_FILE).")
    if not re.match(r"^(mailto:[^@\s]+@[^@\s]+|https://\S+)$", subject):
        return _("Notifications push non configurées : VAPID_SUBJECT doit être « mailto:adresse@usine » "
                 "(ou une adresse https) pour que les services push puissent joindre l'administrateur.")
    return _key_problem(public, private)


def configured() -> bool:
    return not problem()


# --- Subscriptions -----------------------------------------------------------------

def _endpoint_allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and settings.WEBPUSH_ALLOW_HTTP):
        return False
    return any(host == allowed or host.endswith("." + allowed)
               for allowed in (h.lower().strip(".") for h in settings.WEBPUSH_ENDPOINT_HOSTS))


def clean_subscription(data) -> dict:
    """The browser's `PushSubscription.toJSON()` checked: a known push service, keys of the right size."""
    if not isinstance(data, dict):
        raise ValidationError(_("Abonnement illisible."))
    endpoint = data.get("endpoint")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise ValidationError(_("Adresse du service push manquante ou trop longue."))
    if not _endpoint_allowed(endpoint):
        raise ValidationError(_("Ce service push n'est pas accepté par le serveur."))
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        raise ValidationError(_("Clés de l'abonnement manquantes."))
    try:
        raw_key, raw_auth = b64url_decode(p256dh), b64url_decode(auth)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("Clés de l'abonnement illisibles.")) from exc
    # An uncompressed P-256 point (0x04, x, y) and a 16-byte secret (RFC 8291).
    if len(raw_key) != 65 or raw_key[0] != 4 or len(raw_auth) != 16:
        raise ValidationError(_("Clés de l'abonnement invalides."))
    return {"endpoint": endpoint, "p256dh": p256dh.rstrip("="), "auth": auth.rstrip("=")}


def device_label(user_agent: str) -> str:
    """"Chrome · Android", "Safari · iPhone": enough for a person to tell his devices apart."""
    ua = user_agent or ""
    system = next((name for pattern, name in [
        (r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"Android", "Android"), (r"Windows", "Windows"),
        (r"Mac OS X|Macintosh", "Mac"), (r"CrOS", "ChromeOS"), (r"Linux", "Linux"),
    ] if re.search(pattern, ua)), "")
    browser = next((name for pattern, name in [
        (r"Edg/", "Edge"), (r"OPR/|Opera", "Opera"), (r"SamsungBrowser", "Samsung Internet"),
        (r"Firefox/|FxiOS", "Firefox"), (r"Chrome/|CriOS|Chromium/", "Chrome"), (r"Safari/", "Safari"),
    ] if re.search(pattern, ua)), "")
    return " · ".join(part for part in (browser, system) if part) or _("Navigateur inconnu")


def subscribe(*, user, data, user_agent="", now) -> PushSubscription:
    """Store this device's subscription for `user`; raises ValidationError with a French message.

    The endpoint identifies the device: a phone passed from one technician to
    another (or signed in by another person) now notifies the one who turned the
    switch on, never both.
    """
    if not configured():
        raise ValidationError(_("Les notifications push ne sont pas configurées sur ce serveur."))
    clean = clean_subscription(data)
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=clean["endpoint"],
            defaults={"user": user, "p256dh": clean["p256dh"], "auth": clean["auth"],
                      "user_agent": user_agent[:500], "label": device_label(user_agent)[:100],
                      "created_at": now, "failure_count": 0, "last_error": ""},
        )
    return subscription


def unsubscribe(*, user, endpoint) -> bool:
    """Forget this device for `user` (the switch turned off, or sign-out). True when a row went."""
    if not endpoint:
        return False
    deleted, _detail = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


# --- What is sent ----------------------------------------------------------------------

def _cut(text, limit):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_payload(*, id, kind, title, body, url, tag="", critical=False) -> dict:
    """The JSON the service worker shows (static/sw.js): {id, kind, title, body, url, tag, critical}.

    `url` is a path on this site (the ticket or the conversation): the service
    worker opens only addresses of its own origin. Title and body are cut so the
    encrypted message stays under the push services' 4 KB.
    """
    if not str(url).startswith("/") or str(url).startswith("//"):
        raise ValueError("url must be a path on this site, e.g. /tickets/IGP-…/")
    payload = {"id": str(id), "kind": str(kind), "title": _cut(title, TITLE_CHARS), "body": _cut(body, BODY_CHARS),
               "url": str(url), "tag": str(tag or kind), "critical": bool(critical)}
    while len(encode_payload(payload)) > MAX_PAYLOAD_BYTES and payload["body"]:
        payload["body"] = _cut(payload["body"], len(payload["body"]) // 2)
    return payload


def encode_payload(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_outcome(subscription: PushSubscription, outcome, *, now) -> None:
    """What one push did to the device: success → reset; 404/410 → the row is deleted; else one more failure."""
    if outcome.gone:
        PushSubscription.objects.filter(pk=subscription.pk).delete()
    elif outcome.succeeded:
        PushSubscription.objects.filter(pk=subscription.pk).update(
            last_success_at=now, failure_count=0, last_error="")
    else:
        from django.db.models import F

        PushSubscription.objects.filter(pk=subscription.pk).update(
            failure_count=F("failure_count") + 1, last_error=outcome.error[:300])
