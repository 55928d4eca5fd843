import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tickets import services
from tickets.models import Ticket, TimelineEntry

S = Ticket.Status


def test_a_technician_moves_a_received_ticket_to_diagnostic(make_ticket, technician):
    ticket = make_ticket()
    services.ticket_move(ticket=ticket, to_status=S.DIAGNOSTIC, by=technician)
    ticket.refresh_from_db()
    assert ticket.status == S.DIAGNOSTIC


def test_each_move_is_written_to_the_timeline(make_ticket, technician):
    ticket = make_ticket()
    services.ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)
    entry = ticket.timeline.get(action=TimelineEntry.Action.STATUS_CHANGED)
    assert (entry.actor, entry.old_value, entry.new_value) == (technician, "received", "in_progress")


@pytest.mark.parametrize("from_status,to_status", [
    (S.RECEIVED, S.COMPLETED),
    (S.RECEIVED, S.ARCHIVED),
    (S.RECEIVED, S.RECEIVED),
    (S.WAITING_PARTS, S.COMPLETED),
    (S.ARCHIVED, S.RECEIVED),
])
def test_a_move_outside_the_workflow_is_refused_in_french(make_ticket, technician, from_status, to_status):
    ticket = make_ticket(status=from_status)
    with pytest.raises(ValidationError) as error:
        services.ticket_move(ticket=ticket, to_status=to_status, by=technician)
    assert "non permis" in str(error.value)
    ticket.refresh_from_db()
    assert ticket.status == from_status


def test_completing_stamps_the_completion_time(make_ticket, technician, now):
    ticket = make_ticket(status=S.IN_PROGRESS)
    services.ticket_move(ticket=ticket, to_status=S.COMPLETED, by=technician, now=now)
    ticket.refresh_from_db()
    assert ticket.completed_at == now


def test_reopening_clears_the_completion_time(make_ticket, technician, now):
    ticket = make_ticket(status=S.COMPLETED, completed_at=now)
    services.ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)
    ticket.refresh_from_db()
    assert ticket.completed_at is None


def test_archiving_keeps_the_completion_time(make_ticket, supervisor, now):
    ticket = make_ticket(status=S.COMPLETED, completed_at=now)
    services.ticket_move(ticket=ticket, to_status=S.ARCHIVED, by=supervisor)
    ticket.refresh_from_db()
    assert ticket.completed_at == now


def test_an_operator_cannot_move_a_ticket(make_ticket, operator):
    ticket = make_ticket(reporter=operator)
    with pytest.raises(PermissionDenied):
        services.ticket_move(ticket=ticket, to_status=S.DIAGNOSTIC, by=operator)


def test_a_move_based_on_a_stale_page_is_refused(make_ticket, technician, technician2):
    ticket = make_ticket()
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)
    with pytest.raises(services.ConflictError):
        services.ticket_move(ticket=stale, to_status=S.DIAGNOSTIC, by=technician2)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_assigning_to_the_whole_team_says_equipe_complete(make_ticket, supervisor):
    ticket = make_ticket()
    services.ticket_assign(ticket=ticket, by=supervisor, team=True)
    ticket.refresh_from_db()
    assert ticket.assignee_label == "Équipe complète"
    assert ticket.timeline.get(action="assigned").new_value == "Équipe complète"


def test_a_ticket_cannot_be_given_to_a_person_and_the_team(make_ticket, supervisor, technician):
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, team=True)


def test_the_database_refuses_a_person_and_the_team_together(make_ticket, technician):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_ticket(assigned_to=technician, assigned_to_team=True)


def test_a_technician_cannot_assign(make_ticket, technician):
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=make_ticket(), by=technician, team=True)


def test_scheduling_is_recorded_with_old_and_new_dates(make_ticket, supervisor, now):
    ticket = make_ticket()
    services.ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=now)
    entry = ticket.timeline.get(action="scheduled")
    assert (entry.old_value, entry.new_value) == ("", "2025-11-12T09:26-05:00")


def test_reporting_creates_the_ticket_and_its_first_timeline_line(operator, machine):
    ticket = services.ticket_create(reporter=operator, machine=machine, title="Bruit au démarrage")
    assert ticket.status == S.RECEIVED
    assert ticket.timeline.get().action == TimelineEntry.Action.CREATED


def test_a_report_without_title_is_refused(operator, machine):
    with pytest.raises(ValidationError):
        services.ticket_create(reporter=operator, machine=machine, title="   ")


def test_a_comment_is_added_to_the_timeline(make_ticket, technician):
    ticket = make_ticket()
    services.comment_add(ticket=ticket, author=technician, body="Engrenages graissés")
    assert ticket.comments.get().display_author == "Jean Technicien"
    assert ticket.timeline.filter(action="commented").count() == 1


def test_an_operator_cannot_comment_on_someone_elses_ticket(make_ticket, operator):
    with pytest.raises(PermissionDenied):
        services.comment_add(ticket=make_ticket(), author=operator, body="Bonjour")
