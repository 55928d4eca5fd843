"""Fan-out: an event becomes one `Notification` per recipient and one `Delivery` per channel and target.

`notify(kind, recipients=, ticket=, params=, key=, now=)` is the one door; the
events of tickets (`notifications.events`) and of messaging call it. It runs in
the caller's transaction (an assignment and its notifications commit or roll
back together) and takes a constant number of queries whatever the number of
recipients: preferences (1), push targets (1, when a push transport is
installed), notifications (insert + read back: 2), deliveries (1).
`notify_many(events, now=)` fans several events out with the same queries
(the overdue scan, one event per overdue ticket).

Rules:

- *Harmless twice.* `key` is unique per recipient (`one_notification_per_recipient_key`)
  and a delivery per (notification, channel, target): both inserts ignore
  conflicts, so a double fan-out (two scans at once, a retried request) adds
  nothing and sends nothing twice.
- *By preference.* A channel reaches a person only if they want this kind on it
  (`NotificationPreference.wants`) and it has a target: no e-mail address, no
  push subscription → no `Delivery` (the bell item is always created).
  `channels=` narrows an event to some channels (the overdue digest is e-mail only).
- *Quiet hours.* A delivery that falls in the person's quiet hours is due at
  their end (`next_attempt_at`), so nothing is dropped; a critical ticket
  ignores them.
- *Right away.* With `NOTIFICATIONS_DELIVER_ON_COMMIT` (on by default, off in
  tests unless a test turns it on) the new deliveries are handed, once the
  transaction commits, to a short background thread that delivers them with the
  same claim code as the scan (`services.deliver_soon`): an assignment at 6 a.m.
  does not wait for the next cron call. The scan stays the safety net: if the
  process dies first, the next scan sends them.
"""
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Channel, Delivery, Kind, Notification
from .preferences import preferences_for
from .transports import webpush

CRITICAL = "critical"
# Rows per INSERT: one statement for up to 2,000 people on PostgreSQL (psycopg's 65,535 parameters
# allow ~5,000 notification rows); SQLite's own limit of 999 variables splits sooner.
INSERT_BATCH = 2000


@dataclass
class Event:
    """One thing that happened, for some people. `key` is a str, or {user_id: str} when it differs per person."""

    kind: str
    recipients: list
    key: str | dict
    ticket: object = None
    params: dict = field(default_factory=dict)
    url: str = ""
    channels: tuple | None = None
    priority: str = ""

    def key_for(self, user):
        return self.key[user.pk] if isinstance(self.key, dict) else self.key


def notify(kind, *, recipients, key, ticket=None, params=None, now=None, url="", channels=None, priority=""):
    """Fan one event out to `recipients` (User objects). Returns the notifications (new or already there).

    `params` are what the text needs (see `Notification.title`/`body`); for a
    ticket event use `ticket_params(ticket)`. `key` names the event so that the
    same event twice is one notification (e.g. "ticket_assigned:<timeline entry id>").
    """
    event = Event(kind=kind, recipients=list(recipients), key=key, ticket=ticket, params=dict(params or {}),
                  url=url, channels=tuple(channels) if channels else None, priority=priority)
    return notify_many([event], now=now)


def notify_many(events, *, now=None):
    """Fan several events out with the queries of one (see the module docstring). Returns the notifications."""
    now = now or timezone.now()
    assert all(e.kind in Kind.values for e in events), "unknown kind"
    wanted = []  # (event, user)
    seen = set()
    for event in events:
        for user in event.recipients:
            if user is None or not user.is_active or (user.pk, event.key_for(user)) in seen:
                continue
            seen.add((user.pk, event.key_for(user)))
            wanted.append((event, user))
    if not wanted:
        return []

    users = {u.pk: u for _e, u in wanted}
    prefs = preferences_for(list(users))
    push_users = sorted({u.pk for e, u in wanted
                         if _allows(e, Channel.PUSH) and prefs[u.pk].wants(e.kind, Channel.PUSH)})
    push_targets = webpush.targets(push_users) if push_users and hasattr(webpush, "targets") else {}

    Notification.objects.bulk_create([
        Notification(recipient=user, kind=event.kind, ticket=event.ticket,
                     ticket_number=event.ticket.ticket_id if event.ticket is not None else "",
                     params=event.params, key=event.key_for(user), priority=event.priority or _priority(event),
                     url=event.url or (event.ticket.get_absolute_url() if event.ticket is not None else ""),
                     created_at=now)
        for event, user in wanted
    ], ignore_conflicts=True, batch_size=INSERT_BATCH)
    keys = {event.key_for(user) for event, user in wanted}
    stored = {(n.recipient_id, n.key): n for n in
              Notification.objects.filter(recipient_id__in=list(users), key__in=list(keys))}

    deliveries, notifications = [], []
    for event, user in wanted:
        notification = stored.get((user.pk, event.key_for(user)))
        if notification is None:  # Deleted between the two queries: nothing to deliver.
            continue
        notification.recipient = user
        notifications.append(notification)
        due = now
        if notification.priority != CRITICAL:
            due = prefs[user.pk].quiet_until(now) or now
        for channel, target in _targets(event, user, prefs[user.pk], push_targets):
            deliveries.append(Delivery(person_notification=notification, channel=channel, target=target,
                                       next_attempt_at=due, created_at=now))
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=INSERT_BATCH)
        if settings.NOTIFICATIONS_DELIVER_ON_COMMIT:
            from .services import deliver_soon

            ids = [n.pk for n in notifications]
            transaction.on_commit(lambda: deliver_soon(notification_ids=ids))
    return notifications


def _allows(event, channel):
    return event.channels is None or channel in event.channels


def _priority(event):
    return getattr(event.ticket, "priority", "") or ""


def _targets(event, user, pref, push_targets):
    if _allows(event, Channel.EMAIL) and pref.wants(event.kind, Channel.EMAIL) and user.email:
        yield Channel.EMAIL, user.email
    if _allows(event, Channel.PUSH) and pref.wants(event.kind, Channel.PUSH):
        for target in push_targets.get(user.pk, ()):
            yield Channel.PUSH, str(target)


def ticket_params(ticket, *, by=None, **extra):
    """The plain values a ticket notification's text needs, frozen at the event (the text renders later)."""
    machine = getattr(ticket, "machine", None)
    params = {
        "ticket": ticket.ticket_id,
        "title": ticket.title,
        "machine": f"{machine.machine_type} {machine.model}".strip() if machine is not None else "",
        "priority": ticket.priority,
        "by": (by.full_name or by.email) if by is not None else "",
    }
    params.update(extra)
    return params
