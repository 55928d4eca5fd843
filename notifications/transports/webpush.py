"""Web Push — stand-in until the push transport (VAPID, pywebpush) is merged.

The real module (helper h4) replaces this file. Interface the core relies on:
`send(delivery) -> Outcome` (404/410 → `gone=True`, 429/5xx → `retry_after`
from the push service), and the optional hooks `targets(user_ids)`,
`forget(delivery)` and `lane(delivery)` described in `transports/__init__`.
Without subscriptions (`targets` returns nothing) no push delivery is created.
"""
from datetime import timedelta

from ..delivery import Outcome

NOT_CONFIGURED = "Web Push non configuré"


def targets(user_ids):
    """{user_id: [subscription id, ...]}: none until push subscriptions exist."""
    return {}


def send(delivery):
    return Outcome(status=None, body="", error=NOT_CONFIGURED, duration=timedelta(0))


def lane(delivery):
    return "push"
