"""Read-only queries of the planning pages, the board's badges and the calendar."""
import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from tickets.models import Ticket

from .models import ChecklistItem, Plan
from .services import is_late, open_tickets_by_plan


def mark_preventive(tickets, *, now):
    """Set `preventive` (the occurrence) and `plan_late` on cards loaded with select_related("occurrence__plan").

    Late: the ticket is still open while its plan's next date is already due, so that date waits.
    """
    for ticket in tickets:
        occurrence = getattr(ticket, "occurrence", None)
        ticket.preventive = occurrence
        plan = occurrence.plan if occurrence is not None else None
        ticket.plan_late = bool(plan and ticket.is_open and not plan.paused and plan.generate_from
                                and plan.generate_from <= now)
    return tickets


def plans_for_list(user, *, machine=None):
    """The plans (of one machine, for its page), each with `open_ticket` and `late`. Two queries."""
    plans = Plan.objects.select_related("machine", "assigned_to")
    if machine is not None:
        plans = plans.filter(machine=machine)
    plans = list(plans)
    busy = open_tickets_by_plan([p.pk for p in plans])
    now = timezone.now()
    for plan in plans:
        plan.open_ticket = busy.get(plan.pk)
        plan.late = bool(plan.open_ticket and not plan.paused and plan.generate_from and plan.generate_from <= now)
    return plans


def ticket_checklist(ticket):
    """The ticket's checklist when it has one (a preventive ticket); no query for the others."""
    if getattr(ticket, "occurrence", None) is None:
        return []
    return list(ChecklistItem.objects.filter(ticket=ticket).order_by("position", "pk"))


def ticket_context(user, ticket):
    """What the ticket page shows of a preventive ticket: its plan, its checklist, the tick rights."""
    from .checklist import can_tick

    occurrence = getattr(ticket, "occurrence", None)
    if occurrence is None:
        return {}
    items = ticket_checklist(ticket)
    return {"occurrence": occurrence, "plan": occurrence.plan, "checklist": items,
            "can_tick": can_tick(user, ticket), "unticked": sum(1 for i in items if not i.done),
            "checklist_done": sum(1 for i in items if i.done)}


# --- Calendar ------------------------------------------------------------------------
@dataclass
class Day:
    day: date
    in_month: bool = True
    tickets: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)  # [(plan, date)]: a plan's date without ticket yet.

    @property
    def empty(self):
        return not self.tickets and not self.upcoming


def month_days(year, month):
    """The weeks (Monday first) that show `month`, as dates."""
    return pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def calendar_days(user, *, start, end, machine=None, person=None, team=False):
    """One Day per date of [start, end]: the scheduled tickets `user` may see, and the plans' upcoming dates.

    Three queries whatever the number of tickets: the tickets (machine and assignee joined,
    occurrence too), the plans (with their machine and assignee), and the plans' open tickets.
    """
    tz = timezone.get_default_timezone()
    lower = datetime.combine(start, time.min, tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    tickets = (Ticket.objects.visible_to(user).filter(scheduled_date__gte=lower, scheduled_date__lt=upper)
               .exclude(status=Ticket.Status.ARCHIVED).with_related().select_related("occurrence")
               .order_by("scheduled_date", "pk"))
    plans = Plan.objects.active().filter(next_date__isnull=False, next_date__lte=end).select_related(
        "machine", "assigned_to")
    if machine is not None:
        tickets, plans = tickets.filter(machine=machine), plans.filter(machine=machine)
    if person is not None:
        tickets = tickets.filter(Q(assigned_to=person) | Q(assigned_to_team=True))
        plans = plans.filter(Q(assigned_to=person) | Q(assigned_to_team=True))
    elif team:
        tickets, plans = tickets.filter(assigned_to_team=True), plans.filter(assigned_to_team=True)
    days = {}
    day = start
    while day <= end:
        days[day] = Day(day=day)
        day += timedelta(days=1)
    for ticket in tickets:
        days[timezone.localdate(ticket.scheduled_date)].tickets.append(ticket)
    plans = list(plans) if user.has_perm("tickets.view_all_tickets") or person == user else []
    busy = open_tickets_by_plan([p.pk for p in plans]) if plans else {}
    now = timezone.now()
    for plan in plans:
        # The next date of a plan whose ticket is still open waits for it: shown, not movable, and
        # marked late once it is due (the same rule as the plan's page and the board's card).
        plan.waiting = plan.pk in busy
        plan.late = is_late(plan, now=now, open_ticket=busy.get(plan.pk))
        for when in plan.upcoming(start, end):
            days[when].upcoming.append(plan)
    return days
