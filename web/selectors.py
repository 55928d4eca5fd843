"""Read-only queries of the technicians' pages.

The board asks for a fixed number of queries whatever the number of tickets:
one for the counts per column, one for the first cards of every column (a
window function numbers the cards inside each status), one for the machines
of the filter. A column longer than its limit links to its own paginated page.
"""
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Max, Q, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from planning.selectors import mark_preventive
from tickets.models import Ticket, TimelineEntry

S = Ticket.Status
BOARD_STATUSES = (S.RECEIVED, S.DIAGNOSTIC, S.IN_PROGRESS, S.WAITING_PARTS, S.COMPLETED)
PRIORITY_RANK = {Ticket.Priority.CRITICAL: 0, Ticket.Priority.HIGH: 1, Ticket.Priority.MEDIUM: 2,
                 Ticket.Priority.LOW: 3}


@dataclass
class Column:
    status: str
    label: str
    count: int = 0
    tickets: list = field(default_factory=list)

    @property
    def hidden_count(self):
        return max(self.count - len(self.tickets), 0)


def board_queryset(user, *, mine=False, reported=False, machine=None, priority="", search=""):
    """The tickets `user` may see, narrowed by the board's filters.

    "Mine" is the work waiting for me: given to me or to the whole team, which
    includes me. What I only reported is another question ("reported by me").
    """
    tickets = Ticket.objects.visible_to(user)
    if mine:
        tickets = tickets.filter(Q(assigned_to=user) | Q(assigned_to_team=True))
    if reported:
        tickets = tickets.filter(reporter=user)
    if machine is not None:
        tickets = tickets.filter(machine=machine)
    if priority:
        tickets = tickets.filter(priority=priority)
    return tickets.search(search)


def _card_order(now):
    """Overdue first, then the most urgent, then the newest."""
    overdue = Case(When(Ticket.objects.overdue_q(now), then=Value(0)), default=Value(1), output_field=IntegerField())
    rank = Case(*[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()],
                default=Value(9), output_field=IntegerField())
    return [overdue.asc(), rank.asc(), F("created_at").desc(), F("pk").desc()]


def _with_delays(tickets, now):
    for ticket in tickets:
        ticket.delay = ticket.overdue_delay(now)
    return mark_preventive(tickets, now=now)  # The PRÉVENTIF badge, and PLAN EN RETARD.


def board_columns(tickets, *, now, statuses=BOARD_STATUSES, limit=None):
    """One Column per status with its full count and its first `limit` cards."""
    limit = limit or settings.BOARD_COLUMN_LIMIT
    tickets = tickets.filter(status__in=statuses)
    counts = dict(tickets.order_by().values_list("status").annotate(n=Count("pk")))
    cards = (
        tickets.with_related().with_media_count().select_related("occurrence__plan")
        .annotate(position=Window(RowNumber(), partition_by=[F("status")], order_by=_card_order(now)))
        .filter(position__lte=limit)
        .order_by("status", "position")
    )
    columns = {status: Column(status=status, label=S(status).label, count=counts.get(status, 0))
               for status in statuses}
    for ticket in _with_delays(list(cards), now):
        columns[ticket.status].tickets.append(ticket)
    return list(columns.values())


def column_page(tickets, *, status, now, page_number=1):
    """All the tickets of one status, a page at a time (the "see all" link and the archives)."""
    tickets = (tickets.filter(status=status).with_related().with_media_count().select_related("occurrence__plan")
               .order_by(*_card_order(now)))
    page = Paginator(tickets, settings.BOARD_PAGE_SIZE).get_page(page_number)
    page.object_list = _with_delays(list(page.object_list), now)
    return page


def board_version(tickets, *, now):
    """A short fingerprint of what the board shows, for the poll that keeps an open board current.

    One aggregate query: the newest change (every service stamps `updated_at`),
    the number of tickets (a ticket that leaves the filter or is deleted), and
    the number overdue at `now`, because a ticket becomes overdue with time
    alone, without any row changing, and its banner must appear all the same.
    """
    # The schedule test first, though the rule holds it too: most tickets fail it, and SQLite then
    # skips the rest (the poll's cost halves on 2,000 tickets). The rule itself is not restated.
    overdue = Q(scheduled_date__lt=now) & Ticket.objects.overdue_q(now)
    facts = tickets.order_by().aggregate(
        newest=Max("updated_at"), count=Count("pk"), overdue=Count("pk", filter=overdue),
    )
    newest = facts["newest"].isoformat() if facts["newest"] else "-"
    return hashlib.sha256(f"{newest}|{facts['count']}|{facts['overdue']}".encode()).hexdigest()[:20]


def newly_assigned(user, *, since):
    """The tickets given to `user` himself since `since` (the moment his board was drawn), for the toast."""
    return list(
        Ticket.objects.visible_to(user)
        .filter(assigned_to=user, timeline__action=TimelineEntry.Action.ASSIGNED, timeline__created_at__gt=since)
        .distinct().order_by("pk").only("pk", "ticket_id", "title")
    )
