"""A small hand-made history (November 2025, factory time) whose figures were computed by hand.

Period: du=2025-11-03 au=2025-11-16 → [Mon 3 Nov 00:00, Mon 17 Nov 00:00), 14 days = 336 h.
Now: Thu 20 Nov 12:00 (after the period, so the period's end is not clipped).
Everything is EST (UTC−5) except 31/10 (EDT, UTC−4).

Tickets (machine, priority, assignee — timeline status rows — completed_at):
  A  M1 high      Jean    received 3/11 08:00, diagnostic 09:00, waiting_parts 10:00,
                          in_progress 5/11 10:00, completed 5/11 14:00            repair 54 h
  B  M1 critical  Pierre  received 4/11 08:00, in_progress 12:00, completed 18:00   repair 10 h
  C  M2 high      Jean    received 10/11 08:00, waiting_parts 11/11 08:00, still waiting (open)
  D  M2 medium    Jean    received 31/10 08:00 (before), in_progress 3/11 08:00,
                          completed 13/11 08:00                                    repair 313 h
                          (31/10 is EDT, 13/11 EST: the clocks went back an hour on 2/11)
  E  M1 low       Jean    received 12/11 08:00, scheduled 13/11 08:00 → overdue now (open)
  F  M1 medium    nobody  received 17/11 09:00 (after the period, open)

M1 status history: 3/11 10:00 operational → out_of_service (ticket A); 5/11 14:00 → operational;
12/11 08:00 → maintenance; 12/11 12:00 → operational.

Overdue alerts: « Pabbly » (endpoint): in the period 1 succeeded, 1 failed (HTTP 500), 1 still
« Envoi en cours »; 1 succeeded on 30/10 (before); 1 "test" row in the period (another type).
An old address without endpoint: 2 failed in the period.
"""
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from machines.models import MachineStatusChange
from notifications.models import WebhookEndpoint, WebhookNotification
from tickets.models import Ticket, TimelineEntry

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=TZ)
START = datetime(2025, 11, 3, tzinfo=TZ)
END = datetime(2025, 11, 17, tzinfo=TZ)
PERIOD_QUERY = {"du": "2025-11-03", "au": "2025-11-16"}


def at(day, hour, month=11):
    return datetime(2025, month, day, hour, 0, tzinfo=TZ)


def _ticket(machine, reporter, *, priority, assigned_to, rows, completed_at=None, scheduled_date=None, title="T"):
    status = rows[-1][1]
    ticket = Ticket.objects.create(title=title, machine=machine, reporter=reporter, priority=priority,
                                   assigned_to=assigned_to, status=status, created_at=rows[0][0],
                                   completed_at=completed_at, scheduled_date=scheduled_date)
    previous = ""
    for moment, new in rows:
        action = TimelineEntry.Action.CREATED if not previous else TimelineEntry.Action.STATUS_CHANGED
        TimelineEntry.objects.create(ticket=ticket, action=action, old_value=previous, new_value=new,
                                     created_at=moment)
        previous = new
    return ticket


def build(*, m1, m2, reporter, jean, pierre, operator):
    S = Ticket.Status
    a = _ticket(m1, reporter, priority="high", assigned_to=jean, title="A", completed_at=at(5, 14),
                rows=[(at(3, 8), S.RECEIVED), (at(3, 9), S.DIAGNOSTIC), (at(3, 10), S.WAITING_PARTS),
                      (at(5, 10), S.IN_PROGRESS), (at(5, 14), S.COMPLETED)])
    b = _ticket(m1, reporter, priority="critical", assigned_to=pierre, title="B", completed_at=at(4, 18),
                rows=[(at(4, 8), S.RECEIVED), (at(4, 12), S.IN_PROGRESS), (at(4, 18), S.COMPLETED)])
    c = _ticket(m2, reporter, priority="high", assigned_to=jean, title="C",
                rows=[(at(10, 8), S.RECEIVED), (at(11, 8), S.WAITING_PARTS)])
    d = _ticket(m2, reporter, priority="medium", assigned_to=jean, title="D", completed_at=at(13, 8),
                rows=[(at(31, 8, month=10), S.RECEIVED), (at(3, 8), S.IN_PROGRESS), (at(13, 8), S.COMPLETED)])
    e = _ticket(m1, reporter, priority="low", assigned_to=jean, title="E", scheduled_date=at(13, 8),
                rows=[(at(12, 8), S.RECEIVED)])
    f = _ticket(m1, reporter, priority="medium", assigned_to=None, title="F", rows=[(at(17, 9), S.RECEIVED)])
    for moment, old, new, who, ticket in [
        (at(3, 10), "operational", "out_of_service", operator, a),
        (at(5, 14), "out_of_service", "operational", reporter, None),
        (at(12, 8), "operational", "maintenance", reporter, None),
        (at(12, 12), "maintenance", "operational", reporter, None),
    ]:
        MachineStatusChange.objects.create(machine=m1, old_status=old, new_status=new, changed_by=who,
                                           changed_by_name=str(who), ticket=ticket, changed_at=moment)
    pabbly = WebhookEndpoint.objects.create(name="Pabbly", url="https://pabbly.example/hook")
    overdue, test = WebhookNotification.Type.OVERDUE_SCHEDULED, WebhookNotification.Type.TEST
    for endpoint, url, sent_at, kind, succeeded, error in [
        (pabbly, pabbly.url, at(13, 9), overdue, True, ""),
        (pabbly, pabbly.url, at(13, 10), overdue, False, "HTTP 500"),
        (pabbly, pabbly.url, at(14, 9), overdue, False, WebhookNotification.SENDING),
        (pabbly, pabbly.url, at(30, 9, month=10), overdue, True, ""),
        (pabbly, pabbly.url, at(13, 11), test, True, ""),
        (None, "https://old.example/hook", at(13, 9), overdue, False, "Délai dépassé"),
        (None, "https://old.example/hook", at(14, 9), overdue, False, "Délai dépassé"),
    ]:
        WebhookNotification.objects.create(ticket=e, endpoint=endpoint, webhook_url=url, sent_at=sent_at,
                                           notification_type=kind, succeeded=succeeded, error=error)
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f, pabbly=pabbly)
