"""How a machine's figures are computed: the one place that says what a repair and downtime are.

Definitions (also in the README, "Machines and reports"):

- **Repair**: a ticket of the machine that was completed, i.e. has `completed_at` (status
  completed, or archived after completion). Its *repair time* is `completed_at − created_at`:
  from the report to the last completion (a reopened ticket is cleared and completed again,
  so its repair time runs to the final completion, reopening included). A repair belongs to
  the period in which it was **completed**.
- **MTTR** (mean time to repair): the average repair time of the repairs of the period.
- **Downtime**: the time the machine spent in a status other than « Opérationnelle » (« En
  maintenance » or « Hors service »), read from its status history (`MachineStatusChange`),
  clipped to the period and to now. Before its first recorded change a machine is taken to
  have been in that change's old status; a machine with no change stayed in its current one.
- **Failure**: a ticket reported on the machine during the period (every report is a problem
  the machine had).
- **MTBF** (mean time between failures): operating time of the period (its length up to now,
  minus downtime) divided by the number of failures; none without a failure.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F

from tickets.models import Machine, Ticket

from .models import MachineStatusChange

REPAIR_TIME = ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())


def repairs(tickets, *, start, end):
    """The repairs among `tickets` completed in [start, end)."""
    return tickets.filter(completed_at__isnull=False, completed_at__gte=start, completed_at__lt=end)


@dataclass
class MachineFigures:
    start: object
    end: object
    period: timedelta          # The period up to now.
    downtime: timedelta
    repairs: int
    mttr: timedelta | None
    failures: int
    mtbf: timedelta | None

    @property
    def operating(self):
        return self.period - self.downtime

    @property
    def availability(self):
        """Share of the period the machine was operational, in percent (None for an empty period)."""
        seconds = self.period.total_seconds()
        return round(100 * self.operating.total_seconds() / seconds, 1) if seconds else None


def downtime(changes, *, current_status, start, end):
    """Time spent outside « Opérationnelle » within [start, end), from the status changes in time order.

    `changes` are (changed_at, old_status, new_status) tuples sorted by time; pure, so the
    hand-made test histories check it without a database.
    """
    if end <= start:
        return timedelta(0)
    changes = list(changes)
    before = [c for c in changes if c[0] <= start]
    if before:
        status = before[-1][2]
    elif changes:
        status = changes[0][1]
    else:
        status = current_status
    total, moment = timedelta(0), start
    for changed_at, _old, new in changes:
        if changed_at <= start:
            continue
        if changed_at >= end:
            break
        if status != Machine.Status.OPERATIONAL:
            total += changed_at - moment
        moment, status = changed_at, new
    if status != Machine.Status.OPERATIONAL:
        total += end - moment
    return total


def machine_figures(machine, *, start, end, now):
    """Downtime, MTTR and MTBF of one machine over [start, end) — three queries.

    `end` is clipped to `now`: the future has neither downtime nor operating time.
    """
    end = min(end, now)
    start = min(start, end)
    changes = (MachineStatusChange.objects.filter(machine=machine, changed_at__lt=end)
               .order_by("changed_at", "id").values_list("changed_at", "old_status", "new_status"))
    down = downtime(changes, current_status=machine.status, start=start, end=end)
    tickets = Ticket.objects.filter(machine=machine)
    repaired = repairs(tickets, start=start, end=end).aggregate(n=Count("pk"), mean=Avg(REPAIR_TIME))
    failures = tickets.filter(created_at__gte=start, created_at__lt=end).count()
    period = end - start
    mtbf = (period - down) / failures if failures else None
    return MachineFigures(start=start, end=end, period=period, downtime=down, repairs=repaired["n"],
                          mttr=repaired["mean"], failures=failures, mtbf=mtbf)
