"""Tickets through the API: what each person sees, and what each action does."""
from datetime import timedelta

import time_machine

from accounts.roles import Role
from tests.api.conftest import ticket_url
from tests.conftest import NOW, make_user
from tickets.models import Machine, Ticket, TimelineEntry


def ids(response):
    return [t["ticket_id"] for t in response.json()["results"]]


# --- Seeing ---------------------------------------------------------------------------
def test_an_operator_sees_only_his_own_tickets(client_for, operator, operator2, make_ticket):
    mine = make_ticket(reporter=operator)
    make_ticket(reporter=operator2)

    assert ids(client_for(operator).get("/api/tickets")) == [mine.ticket_id]


def test_an_operator_asking_for_another_persons_ticket_gets_404_and_none_of_its_data(
        client_for, operator, operator2, make_ticket):
    theirs = make_ticket(reporter=operator2, title="Secret de fabrication")

    response = client_for(operator).get(ticket_url(theirs))

    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_a_ticket_assigned_to_an_operator_is_visible_to_him(client_for, operator, make_ticket):
    ticket = make_ticket(assigned_to=operator)

    assert client_for(operator).get(ticket_url(ticket)).status_code == 200


def test_a_ticket_is_found_by_its_number_with_spaces_and_accents(client_for, supervisor, make_ticket):
    machine = Machine.objects.create(machine_type="Découpe", model="Jet d'eau")
    ticket = make_ticket(machine=machine)
    assert " " in ticket.ticket_id and "É" in ticket.ticket_id

    response = client_for(supervisor).get(ticket_url(ticket))

    assert response.status_code == 200
    assert response.json()["ticket_id"] == ticket.ticket_id
    assert response.json()["machine"]["machine_type"] == "Découpe"


def test_the_list_filters_by_status_priority_machine_assignee_and_reporter(
        client_for, supervisor, technician, operator, make_ticket, machine2):
    received = make_ticket(priority="low")
    diagnostic = make_ticket(status="diagnostic", priority="critical", assigned_to=technician)
    on_machine2 = make_ticket(machine=machine2, reporter=operator)
    client = client_for(supervisor)

    assert ids(client.get("/api/tickets", {"status": "diagnostic"})) == [diagnostic.ticket_id]
    assert set(ids(client.get("/api/tickets?status=diagnostic&status=received"))) == {
        received.ticket_id, diagnostic.ticket_id, on_machine2.ticket_id}
    assert ids(client.get("/api/tickets", {"priority": "critical"})) == [diagnostic.ticket_id]
    assert ids(client.get("/api/tickets", {"machine": machine2.pk})) == [on_machine2.ticket_id]
    assert ids(client.get("/api/tickets", {"assigned_to": technician.pk})) == [diagnostic.ticket_id]
    assert ids(client.get("/api/tickets", {"reporter": operator.pk})) == [on_machine2.ticket_id]


def test_overdue_true_lists_exactly_the_overdue_tickets(client_for, supervisor, technician, make_ticket):
    late = make_ticket(assigned_to=technician, scheduled_date=NOW - timedelta(hours=3))
    make_ticket(assigned_to=technician, scheduled_date=NOW + timedelta(hours=3))
    make_ticket(assigned_to=technician, status="in_progress", scheduled_date=NOW - timedelta(hours=3))
    make_ticket(scheduled_date=NOW - timedelta(hours=3))  # Nobody assigned: not overdue.

    with time_machine.travel(NOW, tick=False):
        client = client_for(supervisor)  # A token issued "now", in the frozen time.
        overdue = client.get("/api/tickets", {"overdue": "true"})
        others = client.get("/api/tickets", {"overdue": "false"})

    assert ids(overdue) == [late.ticket_id]
    assert overdue.json()["results"][0]["is_overdue"] is True
    assert overdue.json()["results"][0]["overdue_delay"] == "3h 0min"
    assert late.ticket_id not in ids(others) and len(ids(others)) == 3


def test_the_list_filters_by_scheduled_range_and_searches_text(client_for, supervisor, make_ticket):
    monday = make_ticket(title="Courroie", scheduled_date=NOW)
    make_ticket(title="Pompe", scheduled_date=NOW + timedelta(days=7))
    client = client_for(supervisor)

    in_range = client.get("/api/tickets", {"scheduled_after": (NOW - timedelta(days=1)).isoformat(),
                                           "scheduled_before": (NOW + timedelta(days=1)).isoformat()})
    assert ids(in_range) == [monday.ticket_id]
    assert ids(client.get("/api/tickets", {"search": "courroie"})) == [monday.ticket_id]
    assert len(ids(client.get("/api/tickets", {"search": "POLISSEUSE"}))) == 2


def test_ordering_by_priority_means_by_urgency(client_for, supervisor, make_ticket):
    for priority in ("medium", "critical", "low", "high"):
        make_ticket(priority=priority)

    response = client_for(supervisor).get("/api/tickets", {"ordering": "-priority"})

    assert [t["priority"] for t in response.json()["results"]] == ["critical", "high", "medium", "low"]


def test_the_list_is_paginated_with_a_page_size_parameter(client_for, supervisor, make_ticket):
    for _n in range(3):
        make_ticket()

    body = client_for(supervisor).get("/api/tickets", {"page_size": 2}).json()

    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# --- Reporting and editing --------------------------------------------------------------
def test_an_operator_reports_a_ticket_numbered_by_the_server_and_it_is_his(client_for, operator, machine):
    response = client_for(operator).post(
        "/api/tickets", {"machine": machine.pk, "title": "Fuite d'huile", "priority": "high",
                         "ticket_id": "IGP-CHOISI-PAR-MOI", "reporter": 1}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["ticket_id"].startswith("IGP-POLISSEUSE-DOUBLE EDGER-")
    assert body["reporter"]["email"] == operator.email
    assert body["status"] == "received"
    assert TimelineEntry.objects.filter(ticket__ticket_id=body["ticket_id"], action="created").exists()


def test_reporting_without_a_title_or_machine_says_which_field_is_missing(client_for, operator):
    response = client_for(operator).post("/api/tickets", {"title": "  "}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "machine"}


def test_a_technician_edits_a_ticket_and_the_timeline_says_what_changed(client_for, technician, make_ticket):
    ticket = make_ticket(priority="low")

    response = client_for(technician).patch(ticket_url(ticket), {"priority": "critical"}, format="json")

    assert response.status_code == 200
    assert response.json()["priority"] == "critical"
    entry = ticket.timeline.get(action=TimelineEntry.Action.UPDATED)
    assert (entry.old_value, entry.new_value, entry.note) == ("low", "critical", "priority")


# --- Moving, assigning, scheduling ------------------------------------------------------
def test_a_technician_moves_a_ticket_and_the_move_is_in_the_timeline(client_for, technician, make_ticket):
    ticket = make_ticket()

    response = client_for(technician).post(ticket_url(ticket, "move"), {"status": "in_progress"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    timeline = client_for(technician).get(ticket_url(ticket, "timeline")).json()
    assert [(e["action"], e["old_value"], e["new_value"]) for e in timeline] == [
        ("status_changed", "received", "in_progress")]


def test_a_move_the_workflow_does_not_allow_is_a_400_naming_both_statuses(client_for, technician, make_ticket):
    ticket = make_ticket()

    response = client_for(technician).post(ticket_url(ticket, "move"), {"status": "archived"}, format="json")

    assert response.status_code == 400
    assert "Reçu" in response.json()["errors"]["status"][0]
    assert Ticket.objects.get(pk=ticket.pk).status == "received"


def test_each_ticket_lists_the_moves_the_caller_may_make(client_for, technician, operator, make_ticket):
    ticket = make_ticket(reporter=operator)

    assert client_for(technician).get(ticket_url(ticket)).json()["allowed_moves"] == [
        "diagnostic", "in_progress", "waiting_parts"]
    assert client_for(operator).get(ticket_url(ticket)).json()["allowed_moves"] == []


def test_moving_a_ticket_someone_else_just_moved_is_a_409(client_for, technician, make_ticket, monkeypatch):
    ticket = make_ticket()
    from api.views import TicketViewSet

    original = TicketViewSet.get_object

    def stale_get_object(self):
        seen = original(self)
        Ticket.objects.filter(pk=seen.pk).update(status="diagnostic")  # Another person, meanwhile.
        return seen

    monkeypatch.setattr(TicketViewSet, "get_object", stale_get_object)

    response = client_for(technician).post(ticket_url(ticket, "move"), {"status": "in_progress"}, format="json")

    assert response.status_code == 409
    assert "Rechargez" in response.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).status == "diagnostic"


def test_a_supervisor_assigns_to_a_technician_then_to_the_whole_team(client_for, supervisor, technician, make_ticket):
    ticket = make_ticket()
    client = client_for(supervisor)

    to_jean = client.post(ticket_url(ticket, "assign"), {"assigned_to": technician.pk}, format="json")
    to_team = client.post(ticket_url(ticket, "assign"), {"team": True}, format="json")

    assert to_jean.json()["assignee_label"] == "Jean Technicien"
    assert to_team.json()["assignee_label"] == "Équipe complète"
    assert to_team.json()["assigned_to"] is None
    assert ticket.timeline.filter(action="assigned").count() == 2


def test_a_ticket_cannot_go_to_an_operator_nor_to_a_person_and_the_team(
        client_for, supervisor, technician, operator, make_ticket):
    ticket = make_ticket()
    client = client_for(supervisor)

    to_operator = client.post(ticket_url(ticket, "assign"), {"assigned_to": operator.pk}, format="json")
    both = client.post(ticket_url(ticket, "assign"), {"assigned_to": technician.pk, "team": True}, format="json")

    assert to_operator.status_code == 400 and "assigned_to" in to_operator.json()["errors"]
    assert both.status_code == 400 and "non_field_errors" in both.json()["errors"]


def test_a_supervisor_schedules_and_unschedules_a_ticket(client_for, supervisor, make_ticket):
    ticket = make_ticket()
    client = client_for(supervisor)

    planned = client.post(ticket_url(ticket, "schedule"), {"scheduled_date": "2025-11-20T08:00:00-05:00"},
                          format="json")
    cleared = client.post(ticket_url(ticket, "schedule"), {"scheduled_date": None}, format="json")

    assert planned.json()["scheduled_date"] == "2025-11-20T08:00:00-05:00"
    assert cleared.json()["scheduled_date"] is None


# --- Deleting ---------------------------------------------------------------------------
def test_a_supervisor_deletes_a_ticket_and_its_files(client_for, supervisor, make_ticket, settings):
    from tests.api.test_media import upload_photo

    ticket = make_ticket()
    upload_photo(client_for(supervisor), ticket)
    stored = list((settings.MEDIA_ROOT / "tickets").rglob("*.png"))
    assert len(stored) == 1

    response = client_for(supervisor).delete(ticket_url(ticket))

    assert response.status_code == 204
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert len(list((settings.MEDIA_ROOT / "tickets").rglob("*.png"))) == 1  # Until the commit.


def test_deleting_a_ticket_removes_its_files_once_committed(
        client_for, supervisor, make_ticket, settings, django_capture_on_commit_callbacks):
    from tests.api.test_media import upload_photo

    ticket = make_ticket()
    upload_photo(client_for(supervisor), ticket)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(supervisor).delete(ticket_url(ticket))

    assert list((settings.MEDIA_ROOT / "tickets").rglob("*.png")) == []


def test_a_technician_cannot_delete_a_ticket(client_for, technician, make_ticket):
    ticket = make_ticket()

    response = client_for(technician).delete(ticket_url(ticket))

    assert response.status_code == 403
    assert "superviseurs" in response.json()["detail"]


def test_a_viewer_reads_but_does_not_report(client_for, make_ticket):
    viewer = make_user("lea@igp.test", Role.VIEWER)
    make_ticket()
    client = client_for(viewer)

    assert len(ids(client.get("/api/tickets"))) == 1
    assert client.post("/api/tickets", {"title": "x"}, format="json").status_code == 403


def test_a_date_centuries_away_is_refused_when_scheduling(client_for, supervisor, make_ticket):
    ticket = make_ticket()

    response = client_for(supervisor).post(ticket_url(ticket, "schedule"), {"scheduled_date": "0125-11-20T08:00"},
                                           format="json")

    assert response.status_code == 400
    assert "2000" in response.json()["errors"]["scheduled_date"][0]
