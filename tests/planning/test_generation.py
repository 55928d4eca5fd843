"""The scan turns a plan's due date into one ticket: scheduled, assigned, préventif, with its checklist."""
from datetime import date, timedelta

import pytest

from notifications.models import Kind, Notification
from notifications.services import run_overdue_scan
from planning import services
from planning.models import ChecklistItem, Occurrence, Plan
from tests.conftest import NOW
from tickets import services as ticket_services
from tickets.models import Ticket, TimelineEntry


@pytest.fixture(autouse=True)
def no_webhook(settings):
    settings.OVERDUE_WEBHOOK_URL = ""


def test_the_scan_creates_the_ticket_of_a_plan_within_its_lead_time(make_plan, technician, supervisor):
    plan = make_plan(checklist=["Graisser", "Vérifier la tension"], priority=Ticket.Priority.HIGH)

    run_overdue_scan(now=NOW)

    occurrence = Occurrence.objects.get(plan=plan)
    ticket = occurrence.ticket
    assert occurrence.date == date(2025, 11, 15)
    assert ticket.title == "Graissage trimestriel" and ticket.priority == Ticket.Priority.HIGH
    assert ticket.assigned_to == technician and ticket.reporter == supervisor
    assert ticket.scheduled_date == plan.moment(date(2025, 11, 15))
    assert [i.label for i in ticket.checklist.all()] == ["Graisser", "Vérifier la tension"]
    notes = list(ticket.timeline.values_list("action", "new_value"))
    assert (TimelineEntry.Action.UPDATED, "Maintenance préventive : Graissage trimestriel") in notes
    assert [a for a, _n in notes].count(TimelineEntry.Action.SCHEDULED) == 1
    assert Notification.objects.filter(recipient=technician, kind=Kind.TICKET_ASSIGNED, ticket=ticket).exists()
    plan.refresh_from_db()
    assert plan.next_date == date(2026, 2, 15)


def test_a_plan_outside_its_lead_time_waits(make_plan):
    make_plan(start_date=date(2025, 12, 15))
    assert services.generate(now=NOW).created == []
    assert Ticket.objects.count() == 0


def test_a_second_scan_creates_nothing_more(make_plan):
    make_plan()
    services.generate(now=NOW)
    assert services.generate(now=NOW).created == []
    assert services.generate(now=NOW + timedelta(hours=1)).created == []
    assert Ticket.objects.count() == 1


def test_the_next_date_waits_while_the_previous_ticket_is_open_and_the_plan_is_late(make_plan):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS)
    services.generate(now=NOW)
    later = NOW + timedelta(days=14)

    result = services.generate(now=later)

    assert result.created == [] and [p.pk for p in result.waiting] == [plan.pk]
    plan.refresh_from_db()
    assert services.is_late(plan, now=later, open_ticket=services.open_tickets_by_plan([plan.pk])[plan.pk])
    assert Ticket.objects.count() == 1


def test_a_fixed_plan_that_fell_behind_makes_one_ticket_for_the_latest_date(make_plan, supervisor):
    plan = make_plan(every=1, unit=Plan.Unit.WEEKS, lead_days=0)
    services.generate(now=NOW + timedelta(days=3))
    first = Ticket.objects.get()
    ticket_services.ticket_move(ticket=first, to_status=Ticket.Status.IN_PROGRESS, by=supervisor)
    ticket_services.ticket_move(ticket=first, to_status=Ticket.Status.COMPLETED, by=supervisor,
                                now=NOW + timedelta(days=30), confirm_unchecked=True)

    created = services.generate(now=NOW + timedelta(days=30)).created

    assert len(created) == 1
    assert created[0].occurrence.date == date(2025, 12, 6)  # The latest Saturday reached, not the three missed.
    plan.refresh_from_db()
    assert plan.next_date == date(2025, 12, 13)


def test_a_floating_plan_counts_from_the_completion(make_plan, supervisor):
    plan = make_plan(kind=Plan.Kind.FLOATING, every=10, unit=Plan.Unit.DAYS, lead_days=2)
    ticket = services.generate(now=NOW + timedelta(days=3)).created[0]
    plan.refresh_from_db()
    assert plan.next_date is None
    ticket_services.ticket_move(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, by=supervisor)
    ticket_services.ticket_move(ticket=ticket, to_status=Ticket.Status.COMPLETED, by=supervisor,
                                now=NOW + timedelta(days=5))

    services.generate(now=NOW + timedelta(days=5, hours=1))

    plan.refresh_from_db()
    assert plan.next_date == date(2025, 11, 27)  # Completed on the 17th, + 10 days.


def test_a_paused_or_ended_plan_creates_nothing(make_plan, supervisor):
    plan = make_plan()
    services.plan_pause(plan=plan, by=supervisor)
    assert services.generate(now=NOW).created == []
    services.plan_pause(plan=plan, by=supervisor, paused=False)
    plan.end_date = date(2025, 11, 14)
    services.plan_save(plan=plan, by=supervisor)
    assert services.generate(now=NOW).created == []


def test_generate_now_ignores_the_lead_time_but_not_the_open_ticket(make_plan):
    plan = make_plan(start_date=date(2026, 1, 15))
    assert len(services.generate(plans=[plan], force=True, now=NOW).created) == 1
    plan.refresh_from_db()
    assert services.generate(plans=[plan], force=True, now=NOW).created == []


def test_a_plan_whose_author_left_keeps_its_error_and_creates_nothing(make_plan, supervisor):
    plan = make_plan()
    supervisor.is_active = False
    supervisor.save()

    result = services.generate(now=NOW)

    assert result.created == [] and len(result.failed) == 1
    assert Occurrence.objects.count() == 0
    plan.refresh_from_db()
    assert plan.last_error


def test_the_whole_team_plan(make_plan):
    make_plan(assigned_to=None, assigned_to_team=True)
    ticket = services.generate(now=NOW).created[0]
    assert ticket.assigned_to_team


def test_managing_plans_needs_the_permission(make_plan, technician):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_plan(by=technician)


def test_due_plans_are_selected_in_constant_queries(make_plan, machine, supervisor, django_assert_num_queries):
    for i in range(5):
        make_plan(title=f"Plan {i}", start_date=date(2026, 3, 1))  # Not due.
    with django_assert_num_queries(2):  # Floating plans waiting for a completion, due plans (none).
        services.generate(now=NOW)


def test_a_batch_costs_the_same_queries_whatever_its_size(make_plan, technician, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(n, start, **fields):
        for i in range(n):
            make_plan(title=f"Plan {start}-{i}", start_date=date(2025, 11, 15) + timedelta(days=start),
                      checklist=["Graisser", "Serrer"], **fields)
        with CaptureQueriesContext(connection) as ctx:
            created = services.generate(now=NOW + timedelta(days=start)).created
        return len(ctx.captured_queries), len(created)

    one, n1 = cost(1, 0)
    twelve, n12 = cost(12, 1)
    assert (n1, n12) == (1, 12)
    assert twelve == one  # Tickets, timeline rows, checklists, notifications: no query per plan or ticket.
    team, n_team = cost(6, 2, assigned_to=None, assigned_to_team=True)
    assert n_team == 6 and team == one + 1  # The technicians, read once for the whole team.


def test_tickets_made_in_bulk_are_the_ones_the_door_makes_one_by_one(make_plan, technician, supervisor, machine):
    """The scan's bulk creation writes what ticket_create + ticket_assign + ticket_schedule would: same rows."""
    plan = make_plan(checklist=["Graisser"])
    bulk = services.generate(now=NOW).created[0]
    alone = ticket_services.ticket_create(reporter=supervisor, machine=machine, title=plan.title,
                                          description=plan.description, now=NOW)
    ticket_services.timeline_add(ticket=alone, new=f"Maintenance préventive : {plan.title}", note=f"plan:{plan.pk}",
                                 now=NOW)
    ticket_services.ticket_assign(ticket=alone, by=None, technician=technician, now=NOW)
    ticket_services.ticket_schedule(ticket=alone, by=None, scheduled_date=bulk.scheduled_date, now=NOW)

    def rows(ticket):
        return list(ticket.timeline.order_by("pk").values_list("action", "actor", "old_value", "new_value", "note",
                                                                 "created_at"))

    assert rows(bulk) == rows(alone)
    assert bulk.ticket_id.endswith("-001") and alone.ticket_id.endswith("-002")
    for ticket in (bulk, alone):
        notice = Notification.objects.get(kind=Kind.TICKET_ASSIGNED, ticket=ticket)
        assert notice.recipient == technician
        assert notice.key == f"{Kind.TICKET_ASSIGNED}:{ticket.pk}:" + str(
            ticket.timeline.get(action=TimelineEntry.Action.ASSIGNED).pk)


def test_a_plan_whose_author_lost_the_right_fails_alone(make_plan, supervisor):
    from accounts.roles import Role
    from tests.conftest import make_user

    author = make_user("ancien@igp.test", Role.SUPERVISOR)
    lost = make_plan(title="Plan de l'ancien", by=author)
    kept = make_plan(title="Plan gardé")
    author.is_active = False
    author.save()

    result = services.generate(now=NOW)

    assert [t.title for t in result.created] == ["Plan gardé"]
    assert [(p.pk, m) for p, m in result.failed] == [(lost.pk, "Vous n'avez pas le droit de signaler un problème.")]
    lost.refresh_from_db()
    kept.refresh_from_db()
    assert lost.last_error and not kept.last_error
    assert not Occurrence.objects.filter(plan=lost).exists()  # Free again for the next scan.


def test_completing_with_unticked_points_asks_for_confirmation_and_says_so(make_plan, technician):
    make_plan(checklist=["Graisser", "Vérifier"])
    ticket = services.generate(now=NOW).created[0]
    ticket.status = Ticket.Status.IN_PROGRESS
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.IN_PROGRESS)
    with pytest.raises(ticket_services.ChecklistIncomplete):
        ticket_services.ticket_move(ticket=ticket, to_status=Ticket.Status.COMPLETED, by=technician, now=NOW)
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS

    ticket_services.ticket_move(ticket=ticket, to_status=Ticket.Status.COMPLETED, by=technician, now=NOW,
                                confirm_unchecked=True)

    assert ticket.timeline.filter(new_value="Terminé avec 2 points non cochés (confirmé)").exists()


def test_ticking_a_point_keeps_who_and_when_and_writes_the_timeline(make_plan, technician):
    from planning.checklist import checklist_tick

    make_plan(checklist=["Graisser"])
    ticket = services.generate(now=NOW).created[0]
    item = ChecklistItem.objects.get()

    assert checklist_tick(item=item, by=technician, now=NOW) is True
    assert checklist_tick(item=item, by=technician, now=NOW) is False  # A double tap: one row.

    item.refresh_from_db()
    assert item.done_by == technician and item.done_at == NOW
    assert ticket.timeline.filter(new_value="✓ Graisser", actor=technician).count() == 1


def test_the_assignee_hears_once_that_the_date_is_near(make_plan, technician):
    make_plan(start_date=date(2025, 11, 13))  # Tomorrow 08:00: within 24 h.
    services.scan(now=NOW)
    services.scan(now=NOW + timedelta(minutes=5))

    notices = Notification.objects.filter(kind=Kind.DUE_SOON)
    assert [n.recipient for n in notices] == [technician]


def test_a_rescheduled_ticket_is_announced_again_for_its_new_date(make_plan, technician, supervisor):
    make_plan(start_date=date(2025, 11, 13))
    services.scan(now=NOW)
    ticket = Ticket.objects.get()
    ticket_services.ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=NOW + timedelta(hours=10))

    services.scan(now=NOW + timedelta(minutes=5))

    assert Notification.objects.filter(kind=Kind.DUE_SOON).count() == 2


def test_no_notice_before_the_lead(make_plan):
    make_plan(start_date=date(2025, 11, 15))
    services.scan(now=NOW)
    assert not Notification.objects.filter(kind=Kind.DUE_SOON).exists()


def test_out_of_time_the_scan_leaves_the_rest_for_the_next_one(make_plan):
    for i in range(3):
        make_plan(title=f"Plan {i}")

    first = services.generate(now=NOW, seconds=0)

    assert first.created == [] and first.stopped
    assert Occurrence.objects.count() == 0  # Nothing claimed: the next scan starts from these plans.
    assert len(services.generate(now=NOW).created) == 3


def test_a_plan_is_given_to_a_technician_only(make_plan, operator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_plan(assigned_to=operator)
