"""The reports' figures, each one aggregate query in the database whatever the number of rows.

Definitions (README, "Machines and reports"; repair and MTTR: machines/figures.py):

- **Opened / closed per week**: tickets created, and tickets completed (`completed_at`), in each
  week (Monday to Sunday, factory time) of the period.
- **Open and overdue per machine**: now, not over the period: open = not completed nor
  archived; overdue = `Ticket.objects.overdue` (the original's rule, unchanged).
- **MTTR per machine and per priority**: the repairs completed in the period (machines.figures).
- **Time in each status**: from the ticket timelines (the "created" row starts « Reçu », each
  status change row starts its new status, the next such row or now ends it), each stay clipped
  to the period and summed per status; "tickets" counts the tickets that spent time there
  (one SQL query with a LEAD window, see `_stays`).
  Only the four statuses before completion: time spent completed or archived is not a wait.
- **Overdue alerts per destination**: `WebhookNotification` rows of type overdue sent in the
  period: sent = succeeded, failed = answered with an error or no answer (a row still
  « Envoi en cours » is neither).
- **Work per technician**: per assignee, the tickets completed in the period with their mean
  repair time, and the open tickets assigned to him now.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Q,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from machines.figures import REPAIR_TIME, repairs
from notifications.models import WebhookNotification
from tickets.models import Ticket, TimelineEntry

CLOSED = [Ticket.Status.COMPLETED, Ticket.Status.ARCHIVED]
STATUS_ROWS = [TimelineEntry.Action.CREATED, TimelineEntry.Action.STATUS_CHANGED]
# The statuses a ticket waits or is worked in (completed and archived are ends, not waits);
# waiting for parts first: the figure supervisors asked for above all.
STATUS_ORDER = [Ticket.Status.WAITING_PARTS, Ticket.Status.RECEIVED, Ticket.Status.DIAGNOSTIC,
                Ticket.Status.IN_PROGRESS]


@dataclass(frozen=True)
class Period:
    start: object  # aware, included
    end: object    # aware, excluded
    now: object

    @property
    def until(self):
        """The end, but never in the future."""
        return min(self.end, self.now)


def _machine_label(row, prefix="machine__"):
    return f"{row[prefix + 'machine_type']} {row[prefix + 'model']}".strip()


def tickets_per_week(period):
    """[{week (date of its Monday), opened, closed}] for every week touching the period. Two queries."""
    tz = timezone.get_current_timezone()
    tickets = Ticket.objects.order_by()
    opened = dict(tickets.filter(created_at__gte=period.start, created_at__lt=period.end)
                  .annotate(week=TruncWeek("created_at", tzinfo=tz)).values_list("week")
                  .annotate(n=Count("pk")))
    closed = dict(tickets.filter(completed_at__gte=period.start, completed_at__lt=period.end)
                  .annotate(week=TruncWeek("completed_at", tzinfo=tz)).values_list("week")
                  .annotate(n=Count("pk")))
    first = timezone.localdate(period.start)
    last = timezone.localdate(period.end - timedelta(microseconds=1))
    monday = first - timedelta(days=first.weekday())
    counts = {}
    for when, n in opened.items():
        counts.setdefault(_day(when), [0, 0])[0] = n
    for when, n in closed.items():
        counts.setdefault(_day(when), [0, 0])[1] = n
    rows = []
    while monday <= last:
        o, c = counts.get(monday, (0, 0))
        rows.append({"week": monday, "opened": o, "closed": c})
        monday += timedelta(days=7)
    return rows


def _day(value):
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def open_overdue_per_machine(period):
    """[{machine_id, machine, open, overdue}] for machines with open tickets, most open first. One query."""
    rows = (Ticket.objects.open().order_by()
            .values("machine_id", "machine__machine_type", "machine__model")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Ticket.objects.overdue_q(period.now)))
            .order_by("-open", "-overdue", "machine__machine_type", "machine__model"))
    return [{"machine_id": r["machine_id"], "machine": _machine_label(r), "open": r["open"],
             "overdue": r["overdue"]} for r in rows]


def mttr_per_machine(period):
    """[{machine_id, machine, repairs, mttr}] for machines repaired in the period, slowest first. One query."""
    rows = (repairs(Ticket.objects.order_by(), start=period.start, end=period.end)
            .values("machine_id", "machine__machine_type", "machine__model")
            .annotate(repairs=Count("pk"), mttr=Avg(REPAIR_TIME))
            .order_by("-mttr", "machine__machine_type"))
    return [{"machine_id": r["machine_id"], "machine": _machine_label(r), "repairs": r["repairs"],
             "mttr": r["mttr"]} for r in rows]


PRIORITY_ORDER = [Ticket.Priority.CRITICAL, Ticket.Priority.HIGH, Ticket.Priority.MEDIUM, Ticket.Priority.LOW]


def mttr_per_priority(period):
    """[{priority, label, repairs, mttr}] for the four priorities, most urgent first. One query."""
    found = {r["priority"]: r for r in repairs(Ticket.objects.order_by(), start=period.start, end=period.end)
             .values("priority").annotate(repairs=Count("pk"), mttr=Avg(REPAIR_TIME))}
    return [{"priority": p.value, "label": str(p.label), "repairs": found.get(p, {}).get("repairs", 0),
             "mttr": found.get(p, {}).get("mttr")} for p in PRIORITY_ORDER]


# The seconds between two instants, the one thing the two databases write differently.
SECONDS = {
    "postgresql": "EXTRACT(EPOCH FROM ({end} - {begin}))",
    "sqlite": "(julianday({end}) - julianday({begin})) * 86400.0",
}
LEAST = {"postgresql": "LEAST", "sqlite": "MIN"}
GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}

STAYS_SQL = """
SELECT stays.new_value, COUNT(DISTINCT stays.ticket_id), SUM({seconds})
FROM (
    SELECT ticket_id, new_value, created_at AS begins,
           COALESCE(LEAD(created_at) OVER (PARTITION BY ticket_id ORDER BY created_at, id), %s) AS ends
    FROM {table}
    WHERE action IN (%s, %s) AND created_at < %s
) stays
WHERE stays.ends > %s AND stays.new_value IN ({statuses})
GROUP BY stays.new_value
"""


def _stays(period):
    """{status: (tickets, seconds)} of the stays overlapping the period. One query.

    A stay starts at a `created` or `status_changed` row and ends at the ticket's next such row
    (LEAD over the ticket's rows in time order), or at the period's end; it is clipped to the period.
    SQL rather than the ORM because Django cannot aggregate over a window function; a correlated
    subquery per row did the same in the ORM but took 21 s over a million rows on PostgreSQL
    (bench/reports.py), the window one sort.
    """
    vendor = connection.vendor if connection.vendor in SECONDS else "postgresql"
    until, start = (connection.ops.adapt_datetimefield_value(v) for v in (period.until, period.start))
    seconds = SECONDS[vendor].format(end=f"{LEAST[vendor]}(stays.ends, %s)",
                                     begin=f"{GREATEST[vendor]}(stays.begins, %s)")
    sql = STAYS_SQL.format(seconds=seconds, table=connection.ops.quote_name(TimelineEntry._meta.db_table),
                           statuses=", ".join(["%s"] * len(STATUS_ORDER)))
    params = [until, start, until, *STATUS_ROWS, until, start, *STATUS_ORDER]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {status: (tickets, float(total or 0)) for status, tickets, total in cursor.fetchall()}


def time_in_status(period):
    """[{status, label, tickets, total, mean}] for every status before completion, waiting for parts first.
    One query."""
    found = _stays(period)
    rows = []
    for status in STATUS_ORDER:
        tickets, seconds = found.get(status, (0, 0.0))
        total = timedelta(seconds=round(seconds))
        rows.append({"status": status.value, "label": str(status.label), "tickets": tickets, "total": total,
                     "mean": total / tickets if tickets else None})
    return rows


def alerts_per_destination(period):
    """[{destination, sent, failed}] for the overdue alerts of the period, most failures first. One query."""
    sending = Q(error=WebhookNotification.SENDING)
    rows = (WebhookNotification.objects.order_by()
            .filter(notification_type=WebhookNotification.Type.OVERDUE_SCHEDULED,
                    sent_at__gte=period.start, sent_at__lt=period.end)
            .values("endpoint_id", "endpoint__name", "webhook_url")
            .annotate(sent=Count("pk", filter=Q(succeeded=True)),
                      failed=Count("pk", filter=Q(succeeded=False) & ~sending)))
    merged = {}
    for r in rows:  # One line per destination (its URL may have changed over the period).
        key = r["endpoint_id"] or r["webhook_url"]
        line = merged.setdefault(key, {"destination": r["endpoint__name"] or r["webhook_url"], "sent": 0,
                                       "failed": 0})
        line["sent"] += r["sent"]
        line["failed"] += r["failed"]
    return sorted(merged.values(), key=lambda line: (-line["failed"], -line["sent"], line["destination"]))


def work_per_technician(period):
    """[{technician_id, technician, completed, mttr, open}] per assignee, most completed first. One query."""
    done = Q(completed_at__gte=period.start, completed_at__lt=period.end)
    rows = (Ticket.objects.order_by().filter(assigned_to__isnull=False)
            .filter(done | ~Q(status__in=CLOSED))
            .values("assigned_to_id", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__email")
            .annotate(completed=Count("pk", filter=done), mttr=Avg(REPAIR_TIME, filter=done),
                      open=Count("pk", filter=~Q(status__in=CLOSED)))
            .order_by("-completed", "-open", "assigned_to__last_name"))
    return [{"technician_id": r["assigned_to_id"],
             "technician": f"{r['assigned_to__first_name']} {r['assigned_to__last_name']}".strip()
             or r["assigned_to__email"],
             "completed": r["completed"], "mttr": r["mttr"], "open": r["open"]} for r in rows]


TABLES = {
    "weeks": tickets_per_week,
    "machines": open_overdue_per_machine,
    "mttr-machines": mttr_per_machine,
    "mttr-priorities": mttr_per_priority,
    "statuses": time_in_status,
    "alerts": alerts_per_destination,
    "technicians": work_per_technician,
}


def all_tables(period):
    """Every table of the reports page: eight queries in all."""
    return {name: build(period) for name, build in TABLES.items()}
