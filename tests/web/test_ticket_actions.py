"""The ticket page's own actions: "Je m'en occupe", editing, reporting with an assignee, deleting.

Each goes through tickets/services.py, so each leaves its line in the history; each is refused to
those whose role does not allow it (403) and hidden from those who may not see the ticket (404).
"""
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.conftest import make_user
from tickets import policies, services
from tickets.models import Ticket, TimelineEntry

pytestmark = pytest.mark.django_db
A = TimelineEntry.Action


def url(name, ticket):
    return reverse(f"web:{name}", kwargs={"ticket_id": ticket.ticket_id})


# --- "Je m'en occupe" ------------------------------------------------------------------
@pytest.mark.parametrize("role,allowed", [
    (Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.TEAM_LEADER, True), (Role.SENIOR_TECHNICIAN, True),
    (Role.TECHNICIAN, True), (Role.COORDINATOR, False), (Role.OPERATOR, False), (Role.VIEWER, False),
])
def test_the_roles_that_work_on_tickets_may_take_one(role, allowed):
    user = make_user(f"{role.value}@igp.test", role)
    assert user.has_perm("tickets.take_ticket") is allowed


def test_a_technician_takes_an_unassigned_ticket_and_the_history_says_so(signed_in, technician, make_ticket):
    ticket = make_ticket()
    client = signed_in(technician)
    assert "Je m'en occupe" in client.get(ticket.get_absolute_url()).content.decode()
    response = client.post(url("ticket-take", ticket), follow=True)
    ticket.refresh_from_db()
    assert ticket.assigned_to == technician
    page = response.content.decode()
    assert "Le ticket est à vous." in page
    assert "Je m'en occupe" not in page
    entry = ticket.timeline.get(action=A.ASSIGNED)
    assert (entry.actor, entry.old_value, entry.new_value) == (technician, "", "Jean Technicien")


def test_a_ticket_already_taken_is_not_taken_again(signed_in, technician, technician2, make_ticket):
    ticket = make_ticket()
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_take(ticket=ticket, by=technician2)
    with pytest.raises(services.ConflictError):
        services.ticket_take(ticket=stale, by=technician)
    response = signed_in(technician).post(url("ticket-take", ticket), follow=True)
    assert "Vous ne pouvez pas prendre ce ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assigned_to == technician2
    assert ticket.timeline.filter(action=A.ASSIGNED).count() == 1


def test_a_team_ticket_or_a_finished_one_cannot_be_taken(technician, make_ticket):
    assert not policies.can_take(technician, make_ticket(assigned_to_team=True))
    assert not policies.can_take(technician, make_ticket(status=Ticket.Status.COMPLETED))


def test_an_operator_cannot_take_his_own_ticket_and_others_are_hidden(signed_in, operator, operator2,
                                                                     make_ticket):
    mine, other = make_ticket(reporter=operator), make_ticket(reporter=operator2)
    client = signed_in(operator)
    assert "Je m'en occupe" not in client.get(mine.get_absolute_url()).content.decode()
    client.post(url("ticket-take", mine))
    assert client.post(url("ticket-take", other)).status_code == 404
    mine.refresh_from_db()
    assert mine.assigned_to is None and not mine.timeline.exists()


def test_opening_the_take_address_shows_the_ticket_and_takes_nothing(signed_in, technician, make_ticket):
    ticket = make_ticket()
    response = signed_in(technician).get(url("ticket-take", ticket))
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.assigned_to is None


# --- Editing title, description, priority and machine on the page -------------------------
def edit_data(ticket, **changes):
    return {"title": ticket.title, "description": ticket.description, "priority": ticket.priority,
            "machine": ticket.machine_id, **changes}


def test_a_technician_edits_the_ticket_and_each_change_is_a_history_line(signed_in, technician, make_ticket,
                                                                        machine2):
    ticket = make_ticket()
    client = signed_in(technician)
    assert url("ticket-edit", ticket) in client.get(ticket.get_absolute_url()).content.decode()
    assert 'value="Ajouter de la graisse aux engrenages"' in client.get(url("ticket-edit", ticket)).content.decode()
    response = client.post(url("ticket-edit", ticket), edit_data(
        ticket, title="Courroie usée", priority=Ticket.Priority.HIGH, machine=machine2.pk), follow=True)
    assert "Ticket modifié." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.title, ticket.priority, ticket.machine) == ("Courroie usée", Ticket.Priority.HIGH, machine2)
    lines = {e.note: (e.old_value, e.new_value, e.actor) for e in ticket.timeline.filter(action=A.UPDATED)}
    assert set(lines) == {"title", "priority", "machine"}
    assert lines["title"] == ("Ajouter de la graisse aux engrenages", "Courroie usée", technician)


def test_an_empty_title_comes_back_next_to_the_field_with_what_was_typed(signed_in, technician, make_ticket):
    ticket = make_ticket()
    client = signed_in(technician)
    response = client.post(url("ticket-edit", ticket), edit_data(ticket, title="", description="Texte tapé"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "autofocus" in page and "Texte tapé" in page
    assert client.get(url("ticket-edit", ticket)).status_code == 200  # a reload of this address works
    ticket.refresh_from_db()
    assert ticket.title == "Ajouter de la graisse aux engrenages"
    assert not ticket.timeline.exists()


def test_an_operator_may_not_edit_and_cannot_reach_others_tickets(signed_in, operator, operator2, make_ticket):
    mine, other = make_ticket(reporter=operator), make_ticket(reporter=operator2)
    client = signed_in(operator)
    assert url("ticket-edit", mine) not in client.get(mine.get_absolute_url()).content.decode()
    assert client.get(url("ticket-edit", mine)).status_code == 403
    assert client.post(url("ticket-edit", mine), edit_data(mine, title="Autre")).status_code == 403
    assert client.post(url("ticket-edit", other), edit_data(other, title="Autre")).status_code == 404
    mine.refresh_from_db()
    assert mine.title == "Ajouter de la graisse aux engrenages"


# --- Assigning and scheduling while reporting ----------------------------------------------
REPORT = reverse("web:report")


def test_a_supervisor_reports_assigns_and_schedules_in_one_go(signed_in, supervisor, technician, machine):
    client = signed_in(supervisor)
    page = client.get(REPORT).content.decode()
    assert '<label for="id_assignee">Assigner à' in page and '<label for="id_scheduled_date">' in page
    response = client.post(REPORT, {"machine": machine.pk, "title": "Courroie", "priority": "high",
                                    "assignee": technician.pk, "scheduled_date": "2026-12-01T08:30"},
                           follow=True)
    ticket = Ticket.objects.get()
    assert ticket.assigned_to == technician
    assert timezone.localtime(ticket.scheduled_date).strftime("%Y-%m-%d %H:%M") == "2026-12-01 08:30"
    assert list(ticket.timeline.values_list("action", flat=True).order_by("pk")) == [
        A.CREATED, A.ASSIGNED, A.SCHEDULED]
    assert "<strong>ASSIGNÉ</strong> · Jean Technicien" in response.content.decode()


def test_a_report_can_go_to_the_whole_team(signed_in, supervisor, machine):
    signed_in(supervisor).post(REPORT, {"machine": machine.pk, "title": "Fuite", "priority": "low",
                                        "assignee": "team"})
    ticket = Ticket.objects.get()
    assert ticket.assigned_to_team and ticket.timeline.filter(action=A.ASSIGNED).exists()


def test_a_report_left_unassigned_writes_no_assignment_line(signed_in, supervisor, machine):
    signed_in(supervisor).post(REPORT, {"machine": machine.pk, "title": "Fuite", "priority": "low"})
    ticket = Ticket.objects.get()
    assert not ticket.is_assigned and list(ticket.timeline.values_list("action", flat=True)) == [A.CREATED]


def test_an_operator_neither_sees_nor_can_send_an_assignee(signed_in, operator, technician, machine):
    client = signed_in(operator)
    page = client.get(REPORT).content.decode()
    assert 'name="assignee"' not in page and 'name="scheduled_date"' not in page
    client.post(REPORT, {"machine": machine.pk, "title": "Bruit", "priority": "low",
                         "assignee": technician.pk, "scheduled_date": "2026-12-01T08:30"})
    ticket = Ticket.objects.get()
    assert ticket.assigned_to is None and ticket.scheduled_date is None


def test_a_technician_may_not_dispatch_while_reporting(signed_in, technician, machine):
    page = signed_in(technician).get(REPORT).content.decode()
    assert 'name="assignee"' not in page and 'name="scheduled_date"' not in page


# --- Deleting, with a confirmation, the alert history kept ----------------------------------
def test_a_supervisor_confirms_then_deletes_and_the_alert_history_keeps_the_number(
        signed_in, supervisor, technician, make_ticket):
    from notifications.models import WebhookNotification

    ticket = make_ticket(assigned_to=technician)
    number = ticket.ticket_id
    services.comment_add(ticket=ticket, author=technician, body="Graisse commandée")
    WebhookNotification.objects.create(ticket=ticket, webhook_url="https://hooks.example.invalid/x",
                                       response_status=200, succeeded=True)
    client = signed_in(supervisor)
    assert url("ticket-delete", ticket) in client.get(ticket.get_absolute_url()).content.decode()
    confirm = client.get(url("ticket-delete", ticket))
    assert confirm.status_code == 200
    assert "Supprimer ce ticket ?" in confirm.content.decode() and "1 commentaire" in confirm.content.decode()
    assert Ticket.objects.filter(pk=ticket.pk).exists()  # opening the question deletes nothing

    response = client.post(url("ticket-delete", ticket), follow=True)
    assert f"Ticket {number} supprimé." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:board")
    assert not Ticket.objects.filter(ticket_id=number).exists()
    alert = WebhookNotification.objects.get()
    assert alert.ticket is None and alert.ticket_number == number


def test_deleting_removes_the_files_once_committed(signed_in, supervisor, make_ticket, photo, settings,
                                                  django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = make_ticket()
    services.media_add(ticket=ticket, upload=SimpleUploadedFile("a.png", photo, "image/png"), by=supervisor)
    assert len(list(settings.MEDIA_ROOT.rglob("*.png"))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(supervisor).post(url("ticket-delete", ticket))
    assert list(settings.MEDIA_ROOT.rglob("*.png")) == []


@pytest.mark.parametrize("who", ["technician", "operator"])
def test_those_not_allowed_see_no_delete_and_are_refused(request, signed_in, who, make_ticket):
    user = request.getfixturevalue(who)
    ticket = make_ticket(reporter=user)
    client = signed_in(user)
    assert url("ticket-delete", ticket) not in client.get(ticket.get_absolute_url()).content.decode()
    assert client.get(url("ticket-delete", ticket)).status_code == 403
    assert client.post(url("ticket-delete", ticket)).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_an_operator_cannot_even_find_someone_elses_ticket_to_delete(signed_in, operator, operator2,
                                                                   make_ticket):
    other = make_ticket(reporter=operator2)
    assert signed_in(operator).post(url("ticket-delete", other)).status_code == 404
    assert Ticket.objects.filter(pk=other.pk).exists()


def test_the_data_migration_gives_take_ticket_to_existing_groups_and_nothing_else():
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    grant = importlib.import_module("accounts.migrations.0004_grant_take_ticket").grant
    take = Permission.objects.get(codename="take_ticket")
    move = Permission.objects.get(codename="move_ticket")
    technicians, operators = Group.objects.get(name=Role.TECHNICIAN), Group.objects.get(name=Role.OPERATOR)
    technicians.permissions.remove(take, move)  # a database from before the permission; staff removed "move"

    grant(apps, None)

    assert take in technicians.permissions.all() and move not in technicians.permissions.all()
    assert take not in operators.permissions.all()
    assert take in Group.objects.get(name=Role.ADMIN).permissions.all()
