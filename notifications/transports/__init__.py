"""One small module per channel, in the style of healthchecks' transports.

Each module has `send(target_row) -> delivery.Outcome` and never raises for a
network, SMTP or push-service fault: every failure is an Outcome with an error
text (stored in French, like the webhook's). `Outcome.gone` means "this target
no longer exists or refuses for good" (push 404/410, SMTP 5xx); `retry_after`
is the receiver's own wait. Building the message is kept apart from sending it.

- `webhook` — the overdue webhook (`OverdueAlert` attempts), wrapping `delivery.post`;
- `email` — Django's e-mail backend (EMAIL_URL);
- `webpush` — Web Push (VAPID). Optional hooks a transport may offer:
  `targets(user_ids) -> {user_id: [target, ...]}` (who has which devices, one
  query, used by the fan-out), `forget(delivery)` (remove a gone target) and
  `lane(delivery) -> str` (deliveries sharing a lane share its concurrency).

The scan, the claim and the history do not know which channel they serve:
they look the module up in `TRANSPORTS` by the row's channel.
"""
from . import email, webhook, webpush  # noqa: F401 — webhook: looked up by services

TRANSPORTS = {"email": email, "push": webpush}


def for_channel(channel):
    return TRANSPORTS[channel]
