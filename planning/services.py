"""Preventive plans: saving them, and turning their due dates into tickets, exactly once.

`scan(now=…)` is called by the overdue scan (notifications.services.run_overdue_scan,
cron and `check_overdue` alike) before it selects overdue tickets, so a ticket
created by a plan is on the board, and its due-soon notice in the outbox, in the
same run. `generate(plans=[…], force=True)` is the "Générer maintenant" button;
`move_upcoming(…)` is the calendar's drag of a plan's next date (generate, then reschedule).
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import policies
from tickets import services as ticket_services
from tickets.models import Ticket, TimelineEntry

from . import rhythm
from .models import ChecklistItem, Occurrence, Plan

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
CLOSED = (Ticket.Status.COMPLETED, Ticket.Status.ARCHIVED)


def can_manage(user):
    return user.is_authenticated and user.has_perm("planning.manage_plans")


def _require_manager(user):
    if not can_manage(user):
        raise PermissionDenied(_("Vous n'avez pas le droit de gérer les plans de maintenance."))


# --- Plans ---------------------------------------------------------------------------
def plan_save(*, plan, by, now=None):
    """Create or edit a plan (validated), and point it at its next date.

    A new plan starts at its start date. An edited fixed plan starts again from the first date of its
    (possibly new) rhythm after its last occurrence; a floating plan keeps waiting for a completion
    if its last ticket is still open.
    """
    _require_manager(by)
    now = now or timezone.now()
    if plan.pk is None:
        plan.created_by = by
    plan.checklist = [str(p).strip()[:255] for p in (plan.checklist or []) if str(p).strip()]
    plan.full_clean(exclude=["created_by"] if plan.created_by_id is None else None)
    last = plan.occurrences.order_by("-date").first() if plan.pk else None
    if last is None:
        plan.set_next(plan.start_date)
    elif plan.kind == Plan.Kind.FIXED:
        plan.set_next(rhythm.next_date(plan.rhythm, previous=max(last.date, plan.start_date - timedelta(days=1))))
    elif last.ticket_id and last.ticket.status not in CLOSED:
        plan.set_next(None)  # Floating: the next date counts from the completion still to come.
    else:
        done = last.ticket.completed_at if last.ticket_id else None
        plan.set_next(rhythm.next_date(plan.rhythm, previous=last.date,
                                       completed_on=timezone.localdate(done) if done else last.date))
    plan.last_error = ""
    plan.save()
    return plan


def plan_pause(*, plan, by, paused=True):
    _require_manager(by)
    Plan.objects.filter(pk=plan.pk).update(paused=paused, updated_at=timezone.now())
    plan.paused = paused
    return plan


def is_late(plan, *, now, open_ticket=None):
    """The plan's next date is due (or passed) but its previous ticket is still open: it waits."""
    return bool(open_ticket and not plan.paused and plan.generate_from and plan.generate_from <= now)


def open_tickets_by_plan(plan_ids):
    """{plan id: its open preventive ticket} for these plans. One query."""
    rows = (Occurrence.objects.filter(plan_id__in=plan_ids, ticket__isnull=False)
            .exclude(ticket__status__in=CLOSED).select_related("ticket"))
    return {o.plan_id: o.ticket for o in rows}


# --- Generation ----------------------------------------------------------------------
@dataclass
class GenerationResult:
    created: list = field(default_factory=list)  # The tickets this call created.
    waiting: list = field(default_factory=list)  # Plans due whose previous ticket is still open (late).
    failed: list = field(default_factory=list)  # (plan, message): nothing created, said on the plan's page.
    due_soon: int = 0  # Due-soon notices fanned out to people.
    stopped: bool = False  # Out of time: the rest is for the next scan.


def _occurrence_date(plan, today):
    """The date to generate: the plan's next date, or for a fixed plan that fell behind (its previous
    ticket stayed open past several dates) the latest date already reached, so one late ticket is
    created and the missed dates are not piled up."""
    day = plan.next_date
    if plan.kind == Plan.Kind.FIXED and day < today:
        latest = day
        while True:
            following = rhythm.next_date(plan.rhythm, previous=latest)
            if following > today:
                break
            latest = following
        day = latest
    return day


def _refresh_floating(now):
    """Floating plans waiting for a completion: once their last ticket is completed (or gone), point them
    at completion + interval. One query to find them, one to save them."""
    last = Occurrence.objects.filter(plan=OuterRef("pk")).order_by("-date")
    waiting = list(Plan.objects.active().filter(kind=Plan.Kind.FLOATING, next_date__isnull=True)
                   .annotate(last_date=Subquery(last.values("date")[:1]),
                             last_status=Subquery(last.values("ticket__status")[:1]),
                             last_done=Subquery(last.values("ticket__completed_at")[:1]))
                   .filter(last_date__isnull=False)
                   .filter(Q(last_status__isnull=True) | Q(last_status__in=CLOSED)))
    for plan in waiting:
        done_on = timezone.localdate(plan.last_done) if plan.last_done else plan.last_date
        plan.set_next(rhythm.next_date(plan.rhythm, previous=plan.last_date, completed_on=done_on))
    Plan.objects.bulk_update(waiting, ["next_date", "generate_from"])


def generate(*, now=None, plans=None, force=False, batch_size=BATCH_SIZE, seconds=None):
    """Create the tickets of every plan whose next date is within its lead time. Safe to run anywhere, at once.

    In batches of `batch_size` plans, each batch a constant number of queries, whatever the number
    of plans it looks at or of tickets it makes:
    1. Select the due plans (`Plan.objects.to_generate`, one indexed query; `plans` narrows it,
       `force` ignores the lead time: "Générer maintenant").
    2. Leave out, as late, those whose previous ticket is still open (one query).
    3. In one transaction: insert an Occurrence per remaining plan and date with this call's claim
       token, ignoring the ones that exist (one INSERT … ON CONFLICT DO NOTHING); read back the rows
       that carry our token (one query): only those are ours. Another scan, or a click, that got
       there first keeps its own, so a date makes one ticket whatever runs at once.
    4. All of ours through the one door in bulk (tickets.services.tickets_create_many: what
       ticket_create, timeline_add, ticket_assign and ticket_schedule by the system write, timeline
       rows and the assignees' notifications included), then the checklists (one INSERT) and the
       links (one UPDATE). A plan whose ticket cannot be made (its author deactivated…) loses only
       its occurrence row, keeps its error for its page, and is tried again next scan.
    5. Point each plan at its next date (one bulk UPDATE); commit.
    Past `seconds` (the scan passes PLANNING_SCAN_SECONDS) no further batch is claimed and the next
    scan goes on from there, so plans falling due together never eat the overdue alerts' budget
    (200 tickets take about 0.3 s: bench/planning.py).
    """
    now = now or timezone.now()
    result = GenerationResult()
    deadline = monotonic() + seconds if seconds is not None else None
    if plans is None:
        _refresh_floating(now)
        selected = Plan.objects.to_generate(now=now)
    else:
        selected = Plan.objects.filter(pk__in=[p.pk for p in plans]).active().filter(next_date__isnull=False)
        if not force:
            selected = selected.filter(generate_from__lte=now)
        selected = selected.filter(Q(end_date__isnull=True) | Q(next_date__lte=F("end_date")))
    selected = selected.select_related("machine", "assigned_to", "created_by").order_by("pk")
    after = 0
    while True:
        batch = list(selected.filter(pk__gt=after)[:batch_size])
        if not batch:
            break
        after = batch[-1].pk
        _generate_batch(batch, now=now, result=result, deadline=deadline)
        if len(batch) < batch_size or result.stopped:
            break
    return result


def _generate_batch(batch, *, now, result, deadline=None):
    today = timezone.localdate(now)
    busy = open_tickets_by_plan([p.pk for p in batch])
    result.waiting += [p for p in batch if p.pk in busy]
    wanted = {p.pk: (p, _occurrence_date(p, today)) for p in batch if p.pk not in busy}
    if not wanted:
        return
    if deadline is not None and monotonic() > deadline:
        result.stopped = True  # Nothing claimed yet: the next scan starts from these plans.
        return
    token = uuid.uuid4()
    with transaction.atomic():
        Occurrence.objects.bulk_create(
            [Occurrence(plan=p, date=day, claim=token, created_at=now) for p, day in wanted.values()],
            ignore_conflicts=True)
        ours = list(Occurrence.objects.filter(claim=token).order_by("plan_id"))
        specs = [_ticket_spec(*wanted[o.plan_id]) for o in ours]
        ticket_services.tickets_create_many(specs, now=now)
        linked, lost, failed, done, items = [], [], [], [], []
        for occurrence, spec in zip(ours, specs, strict=True):
            plan, day = wanted[occurrence.plan_id]
            if spec.ticket is None:
                # Its author was deactivated, its assignee too…: nothing made, said on the plan's page, tried
                # again next scan (the occurrence row goes, so the date is free again).
                lost.append(occurrence.pk)
                plan.last_error = spec.error[:255]
                failed.append(plan)
                result.failed.append((plan, plan.last_error))
                continue
            occurrence.ticket = spec.ticket
            linked.append(occurrence)
            items += [ChecklistItem(ticket=spec.ticket, position=i, label=label)
                      for i, label in enumerate(plan.checklist or [])]
            result.created.append(spec.ticket)
            plan.last_error = ""
            plan.set_next(rhythm.next_date(plan.rhythm, previous=day) if plan.kind == Plan.Kind.FIXED else None)
            done.append(plan)
        if lost:
            Occurrence.objects.filter(pk__in=lost).delete()
        Occurrence.objects.bulk_update(linked, ["ticket"])
        ChecklistItem.objects.bulk_create(items)
        Plan.objects.bulk_update(failed, ["last_error"])
        Plan.objects.bulk_update(done, ["next_date", "generate_from", "last_error"])


def _ticket_spec(plan, day):
    """What one occurrence's ticket is made of (tickets.services.tickets_create_many: the one door, in bulk)."""
    return ticket_services.NewTicket(
        reporter=plan.created_by, machine=plan.machine, title=plan.title, description=plan.description,
        priority=plan.priority, technician=plan.assigned_to, team=plan.assigned_to_team,
        scheduled_date=plan.moment(day),
        lines=[(_("Maintenance préventive : %(plan)s") % {"plan": plan.title}, f"plan:{plan.pk}")])


# --- Due soon ------------------------------------------------------------------------
def due_soon(*, now=None):
    """Tell the assignees of preventive tickets whose date comes within their plan's lead (default 24 h).

    Once per scheduled instant: the occurrence keeps the instant its notice was for
    (`due_soon_for`), and the notification's key names ticket and instant, so two scans at
    once make one notification and a rescheduled ticket gets one more notice for its new date.
    A constant number of queries (the fan-out's own included).
    """
    from notifications import events  # notifications is delivery; planning only says what happened.

    now = now or timezone.now()
    horizon = ExpressionWrapper(Value(now, output_field=DateTimeField()) + F("plan__due_soon_lead"),
                                output_field=DateTimeField())
    rows = list(
        Occurrence.objects.filter(ticket__isnull=False, ticket__status__in=Ticket.WAITING_STATUSES,
                                  ticket__scheduled_date__gt=now, ticket__scheduled_date__lte=horizon)
        .filter(Q(ticket__assigned_to__isnull=False) | Q(ticket__assigned_to_team=True))
        .filter(Q(due_soon_for__isnull=True) | ~Q(due_soon_for=F("ticket__scheduled_date")))
        .select_related("ticket__machine", "ticket__assigned_to")
    )
    if not rows:
        return 0
    with transaction.atomic():
        sent = events.due_soon([o.ticket for o in rows], now=now)
        for occurrence in rows:
            occurrence.due_soon_for = occurrence.ticket.scheduled_date
        Occurrence.objects.bulk_update(rows, ["due_soon_for"])
    return len(sent)


def scan(*, now=None):
    """The overdue scan's first step: generate what is due, then the due-soon notices.

    Never raises: a fault here is logged and the overdue alerts go out all the same.
    """
    try:
        result = generate(now=now, seconds=settings.PLANNING_SCAN_SECONDS)
        result.due_soon = due_soon(now=now)
        if result.created or result.failed or result.due_soon or result.stopped:
            logger.info("Preventive plans: %s tickets created, %s plans late, %s failed, %s due-soon notices%s",
                        len(result.created), len(result.waiting), len(result.failed), result.due_soon,
                        " (out of time: the rest next scan)" if result.stopped else "")
        return result
    except Exception:  # noqa: BLE001 — the overdue alerts must not depend on the plans.
        logger.exception("Preventive plans: generation failed")
        return None


def upcoming(plans, start, end):
    """[(plan, date)] of the dates these plans will fall on within [start, end], not generated yet."""
    return [(plan, day) for plan in plans for day in plan.upcoming(start, end)]


# --- Calendar: moving a plan's next date -----------------------------------------------
class MoveConflict(Exception):
    """The calendar showed a plan date that cannot be moved now (late, paused, ended, moved meanwhile…).

    Nothing was created; the sentence says why, and what to do (often: reload the calendar).
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _stale():
    return MoveConflict(_("Cette date n'est plus la prochaine date du plan (elle a été générée ou déplacée "
                          "entre-temps) : rechargez le calendrier."))


def _generated_ticket(plan, day):
    """The ticket another run already made for (plan, day), if it is still where the plan put it.

    None when the date has no occurrence yet. Someone already rescheduled it (a timeline row with a
    person: another drag, the ticket page, this same request sent twice): MoveConflict, not a second move
    over theirs. An occurrence without ticket is being made right now by a scan (or lost its ticket);
    a closed ticket is long done: the page is stale either way.
    """
    occurrence = Occurrence.objects.filter(plan=plan, date=day).first()
    if occurrence is None:
        return None
    # Locked until our commit (PostgreSQL; SQLite's IMMEDIATE transactions already take turns): two people
    # moving the same fresh ticket at once are told apart by the timeline row the first one writes.
    ticket = Ticket.objects.select_for_update().filter(pk=occurrence.ticket_id).first()
    if ticket is None or ticket.status in CLOSED:  # Long done: a very old page, not "a moment before".
        raise _stale()
    moved = ticket.timeline.filter(action=TimelineEntry.Action.SCHEDULED).filter(
        Q(actor__isnull=False) | ~Q(actor_name=""))
    if moved.exists():
        raise MoveConflict(_("Cette date a déjà été déplacée (%(ticket)s) : rechargez le calendrier.")
                           % {"ticket": ticket.ticket_id})
    return ticket


def _check_movable(plan, day):
    """Only the plan's next date moves: the later ones follow its rhythm (made early, one would leave the
    plan's next date behind it)."""
    if plan.paused:
        raise MoveConflict(_("Ce plan est en pause : reprenez-le avant de déplacer sa date."))
    if plan.end_date is not None and day > plan.end_date:
        raise MoveConflict(_("Ce plan est terminé : cette date n'aura pas de ticket."))
    if plan.next_date is not None and day > plan.next_date:
        raise MoveConflict(_("Seule la prochaine date d'un plan se déplace ; les suivantes suivent son rythme."))
    if plan.next_date != day:
        raise _stale()


def move_upcoming(*, plan, day, to_day, by, now=None):
    """Move a plan's upcoming date `day` (no ticket yet) to `to_day`: its ticket is made now, on `to_day`.

    The owner's decision (README, "Calendar"), in one transaction so that a refusal leaves nothing behind:
    1. `by` needs the ticket scheduling right (`tickets.policies.can_schedule`), as to drag a ticket;
       `to_day` is required.
    2. If another run generated that very date a moment before, its ticket is the one moved (the
       person's intent holds), unless someone already rescheduled it: MoveConflict, reload.
    3. Otherwise only the plan's next date (`plan.next_date`) may move, the plan neither paused nor
       ended; its ticket is generated exactly as the scan and "Générer maintenant" do
       (`generate(plans=[plan], force=True)`: the occurrence's claim, the "Maintenance préventive"
       row, the assignment, the checklist, the plan's next date advanced). A plan whose previous
       ticket is still open (late) makes nothing: MoveConflict.
    4. The ticket is rescheduled to `to_day` at the plan's hour through
       `tickets.services.ticket_schedule(by=by)`: its rights, its timeline row in the person's name.
    Raises PermissionDenied, ValidationError (no day) or MoveConflict. Returns the ticket.
    """
    now = now or timezone.now()
    if not policies.can_schedule(by):
        raise PermissionDenied(_("Vous n'avez pas le droit de planifier les tickets."))
    if to_day is None:
        raise ValidationError(_("Choisissez un jour."))
    with transaction.atomic():
        plan = Plan.objects.get(pk=plan.pk)  # As it is now: the calendar page may be minutes old.
        ticket = _generated_ticket(plan, day)
        if ticket is None:
            _check_movable(plan, day)
            result = generate(plans=[plan], force=True, now=now)
            if result.waiting:
                raise MoveConflict(_("Le ticket précédent de ce plan est encore ouvert : la prochaine date attend "
                                     "qu'il soit terminé."))
            if result.failed:
                raise MoveConflict(result.failed[0][1])
            # Nothing created: a scan claimed this date between our read and our insert. Move its ticket.
            ticket = result.created[0] if result.created else _generated_ticket(plan, day)
            if ticket is None:
                raise _stale()
        ticket_services.ticket_schedule(ticket=ticket, by=by, scheduled_date=plan.moment(to_day), now=now)
    return ticket
