"""Where notifications to people come from: one function per event, each a call to `fanout.notify`.

- `ticket_assigned` — from `tickets.services.ticket_assign`/`ticket_take`: the
  assignee, or every active technician when the whole team gets it, minus the
  person who did it.
- `ticket_completed` — from `tickets.services.ticket_move` to completed: the
  reporter, unless he completed it himself.
- `overdue` — from the overdue scan: the assignee(s) of each overdue ticket,
  same rule as the webhook (`Ticket.objects.overdue`) and same window
  (`OVERDUE_ALERT_INTERVAL`, 24 h), plus, by e-mail only, the holders of
  `notifications.receive_overdue_digest` (administrators by default: the seed's
  e-mail to the administrator, without Pabbly).
- `due_soon` — from the preventive plans (planning.services.due_soon): the assignee(s) of a
  preventive ticket whose date is within its plan's lead (24 h by default), once per date.
- `message_received` — for the private messages (messaging pages call it when
  they exist).

Each runs inside the caller's transaction; the keys make a repeated call harmless.
"""
from datetime import UTC

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.utils import timezone

from tickets.overdue import Delay

from .fanout import Event, notify, notify_many, ticket_params
from .models import Channel, Delivery, Kind, Notification
from .outbox import due_until

DIGEST_PERMISSION = ("notifications", "receive_overdue_digest")


def _technicians():
    return list(get_user_model().objects.technicians())


def assignees(ticket, *, technicians=None):
    """Who has the ticket: its technician, or every active technician when the whole team has it."""
    if ticket.assigned_to_team:
        return list(technicians) if technicians is not None else _technicians()
    return [ticket.assigned_to] if ticket.assigned_to_id else []


def ticket_assigned(*, ticket, by, entry_id, now=None):
    """The ticket was given to someone (or the team): tell them, not the person who did it."""
    recipients = [u for u in assignees(ticket) if by is None or u.pk != by.pk]
    return notify(Kind.TICKET_ASSIGNED, recipients=recipients, ticket=ticket, now=now,
                  params=ticket_params(ticket, by=by, team=ticket.assigned_to_team),
                  key=f"{Kind.TICKET_ASSIGNED}:{ticket.pk}:{entry_id}")


def tickets_assigned(pairs, *, now=None):
    """`ticket_assigned` by the system (`by=None`) for many tickets at once: [(ticket, assigned row id)].
    The same notifications and keys, with the fan-out's queries of one (tickets.services.tickets_create_many)."""
    technicians = _technicians() if any(t.assigned_to_team for t, _entry in pairs) else []
    return notify_many([
        Event(kind=Kind.TICKET_ASSIGNED, recipients=assignees(t, technicians=technicians), ticket=t,
              params=ticket_params(t, by=None, team=t.assigned_to_team), key=f"{Kind.TICKET_ASSIGNED}:{t.pk}:{entry}")
        for t, entry in pairs
    ], now=now)


def ticket_completed(*, ticket, by, entry_id, now=None):
    """The work is done: tell the person who reported it, unless he did it himself."""
    reporter = ticket.reporter
    if reporter is None or (by is not None and reporter.pk == by.pk):
        return []
    return notify(Kind.TICKET_COMPLETED, recipients=[reporter], ticket=ticket, now=now,
                  params=ticket_params(ticket, by=by), key=f"{Kind.TICKET_COMPLETED}:{ticket.pk}:{entry_id}")


def message_received(*, sender, recipient, excerpt, url, key, now=None):
    """A private message to `recipient`. `key` names the message (e.g. "message:<id>"); `url` its conversation."""
    if recipient is None or (sender is not None and sender.pk == recipient.pk):
        return []
    name = (sender.full_name or sender.email) if sender is not None else ""
    return notify(Kind.MESSAGE_RECEIVED, recipients=[recipient], now=now, url=url,
                  params={"sender": name, "excerpt": (excerpt or "")[:200]}, key=f"{Kind.MESSAGE_RECEIVED}:{key}")


def digest_holders():
    """Active people holding `receive_overdue_digest` (by group, directly, or as superuser). One query."""
    app_label, codename = DIGEST_PERMISSION
    return list(get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    ).distinct())


def overdue(tickets, *, now=None):
    """Fan out the overdue notifications the scan owes people for `tickets` (overdue, machine loaded).

    Window: a person gets a new overdue notification for a ticket when the last
    one is older than `OVERDUE_ALERT_INTERVAL` (with the scan's tolerance, like
    the webhook) and none of its deliveries is still being retried — the
    retries keep the same id, as the webhook's do. The key counts the person's
    overdue notifications for that ticket ("ticket_overdue:<ticket>:<n>"), so
    concurrent scans compute the same key and only one notification exists.
    A constant number of queries, whatever the number of tickets and people.
    """
    from django.conf import settings

    now = now or timezone.now()
    tickets = list(tickets)
    if not tickets:
        return []
    technicians = _technicians() if any(t.assigned_to_team for t in tickets) else []
    holders = digest_holders()
    history = {
        (r["recipient_id"], r["ticket_id"]): r
        for r in Notification.objects.filter(kind=Kind.TICKET_OVERDUE, ticket__in=[t.pk for t in tickets])
        .values("recipient_id", "ticket_id")
        .annotate(n=Count("id", distinct=True), last=Max("created_at"),
                  open=Count("deliveries", filter=Q(deliveries__status__in=Delivery.OPEN)))
    }
    window_start = due_until(now) - settings.OVERDUE_ALERT_INTERVAL

    def due(user, ticket):
        past = history.get((user.pk, ticket.pk))
        if past is None:
            return 0
        if past["open"] or past["last"] > window_start:
            return None
        return past["n"]

    events = []
    for ticket in tickets:
        delay = Delay.from_timedelta(now.astimezone(UTC) - ticket.scheduled_date.astimezone(UTC))
        params = ticket_params(ticket, days=delay.days, hours=delay.hours, minutes=delay.minutes)
        for users, channels in ((assignees(ticket, technicians=technicians), None), (holders, (Channel.EMAIL,))):
            keys = {}
            for user in users:
                n = due(user, ticket)
                if n is not None:
                    keys[user.pk] = f"{Kind.TICKET_OVERDUE}:{ticket.pk}:{n}"
            recipients = [u for u in users if u.pk in keys]
            if recipients:
                events.append(Event(kind=Kind.TICKET_OVERDUE, recipients=recipients, key=keys, ticket=ticket,
                                    params=params, channels=channels))
    return notify_many(events, now=now)


def due_soon(tickets, *, now=None):
    """A preventive ticket's date is near (planning.services.due_soon): tell its assignee(s), once per date.

    The key names the ticket and its scheduled instant ("due_soon:<ticket>:<iso>"), so two scans at once
    make one notification, and a rescheduled ticket is announced again for its new date.
    """
    tickets = list(tickets)
    technicians = _technicians() if any(t.assigned_to_team for t in tickets) else []
    events = [
        Event(kind=Kind.DUE_SOON, recipients=assignees(t, technicians=technicians), ticket=t,
              key=f"{Kind.DUE_SOON}:{t.pk}:{t.scheduled_date.astimezone(UTC).isoformat()}",
              params=ticket_params(t, scheduled=timezone.localtime(t.scheduled_date).isoformat(timespec="minutes")))
        for t in tickets
    ]
    due_soon_webhooks(tickets, now=now)
    return notify_many(events, now=now)


def due_soon_webhooks(tickets, *, now=None):
    """The same event for the webhook destinations: one `DueSoonAlert` per (ticket, active endpoint, instant),
    sent by the scan through the webhook's claim and history (notification_type "due_soon"). Two queries;
    the unique constraint makes a repeated call harmless."""
    from .models import DueSoonAlert, WebhookEndpoint

    now = now or timezone.now()
    endpoint_ids = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", flat=True))
    DueSoonAlert.objects.bulk_create(
        [DueSoonAlert(ticket=t, endpoint_id=e, scheduled_for=t.scheduled_date, next_attempt_at=now)
         for t in tickets for e in endpoint_ids],
        ignore_conflicts=True, batch_size=500)
