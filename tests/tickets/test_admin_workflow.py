"""The Django admin goes through the workflow, like the pages and the API.

A supervisor who changes a status, an assignment or a date in the admin gets the
same timeline row, the same `completed_at` rule and the same refusal of a move
the workflow forbids as on the floor; nothing is saved around the services.
"""
import html
from datetime import timedelta

import pytest
import time_machine
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse
from django.utils import timezone

from tests.conftest import NOW
from tickets.models import Ticket, TimelineEntry
from tickets.services import ticket_assign, ticket_move, ticket_schedule

pytestmark = pytest.mark.django_db
S = Ticket.Status
A = TimelineEntry.Action


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def change_url(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def _value(widget, name, value, data):
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value)
        for i, part in enumerate(parts):
            data[f"{name}_{i}"] = "" if part is None else str(part)
    elif isinstance(widget, CheckboxInput):
        if value:
            data[name] = "on"
    else:
        data[name] = "" if value is None else value


def page_as_posted(client, url):
    """What the browser would send back from the page at `url`, untouched: main form and inlines."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for bound in form:
            _value(bound.field.widget, bound.html_name, bound.value(), data)
    return data


def post_change(client, ticket, **changes):
    data = page_as_posted(client, change_url(ticket))
    data.update(changes)
    return client.post(change_url(ticket), data, follow=True)


def rows(ticket, action):
    return list(ticket.timeline.filter(action=action).values_list("old_value", "new_value", "actor__email"))


@pytest.fixture
def completed(make_ticket, technician, supervisor):
    """A ticket done yesterday, assigned and scheduled in the past: overdue again if it went back to Reçu."""
    ticket = make_ticket(assigned_to=technician, scheduled_date=NOW - timedelta(days=2))
    ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician, now=NOW - timedelta(days=2))
    ticket_move(ticket=ticket, to_status=S.COMPLETED, by=technician, now=NOW - timedelta(days=1))
    return ticket


def test_moving_a_done_ticket_back_to_received_in_the_admin_is_refused_in_french(admin_client, completed):
    before = completed.timeline.count()

    page = post_change(admin_client, completed, move_to=S.RECEIVED).content.decode()

    assert "Passage de « Terminé » à « Reçu » non permis." in page
    completed.refresh_from_db()
    assert completed.status == S.COMPLETED and completed.completed_at == NOW - timedelta(days=1)
    assert completed.timeline.count() == before
    assert not Ticket.objects.overdue(now=NOW).exists(), "no silent return among the overdue tickets"


def test_reopening_a_done_ticket_in_the_admin_writes_the_timeline_and_clears_completed_at(admin_client, completed):
    response = post_change(admin_client, completed, move_to=S.IN_PROGRESS)

    assert response.redirect_chain[-1][0] == reverse("admin:tickets_ticket_changelist")
    completed.refresh_from_db()
    assert completed.status == S.IN_PROGRESS and completed.completed_at is None
    assert rows(completed, A.STATUS_CHANGED)[-1] == ("completed", "in_progress", "alice@igp.test")
    assert not completed.is_overdue(NOW), "En cours is work under way, not a late start"


def test_completing_a_ticket_in_the_admin_stamps_the_completion_time(admin_client, make_ticket, technician):
    ticket = make_ticket(status=S.IN_PROGRESS, assigned_to=technician)

    post_change(admin_client, ticket, move_to=S.COMPLETED)

    ticket.refresh_from_db()
    assert ticket.status == S.COMPLETED and ticket.completed_at == NOW
    assert rows(ticket, A.STATUS_CHANGED) == [("in_progress", "completed", "alice@igp.test")]


def test_the_status_menu_says_which_moves_are_allowed(admin_client, make_ticket):
    ticket = make_ticket(status=S.IN_PROGRESS)
    page = admin_client.get(change_url(ticket)).content.decode()
    assert "Passages permis depuis « En cours » : Diagnostic, En attente de pièces, Terminé." in page


def test_assigning_and_scheduling_in_the_admin_write_their_timeline_rows(admin_client, make_ticket, technician):
    ticket = make_ticket()

    post_change(admin_client, ticket, assignee=str(technician.pk), scheduled_for_0="2025-11-14",
                scheduled_for_1="07:30")

    ticket.refresh_from_db()
    assert ticket.assigned_to == technician and not ticket.assigned_to_team
    assert timezone.localtime(ticket.scheduled_date).strftime("%Y-%m-%d %H:%M") == "2025-11-14 07:30"
    assert rows(ticket, A.ASSIGNED) == [("", "Jean Technicien", "alice@igp.test")]
    assert rows(ticket, A.SCHEDULED) == [("", "2025-11-14T07:30-05:00", "alice@igp.test")]


def test_giving_a_ticket_to_the_whole_team_and_clearing_its_date_in_the_admin(admin_client, make_ticket,
                                                                               technician):
    ticket = make_ticket(assigned_to=technician, scheduled_date=NOW + timedelta(days=1))

    post_change(admin_client, ticket, assignee="team", scheduled_for_0="", scheduled_for_1="")

    ticket.refresh_from_db()
    assert ticket.assigned_to is None and ticket.assigned_to_team and ticket.scheduled_date is None
    assert rows(ticket, A.ASSIGNED) == [("Jean Technicien", "Équipe complète", "alice@igp.test")]
    assert [old for old, new, _who in rows(ticket, A.SCHEDULED)] == ["2025-11-13T09:26-05:00"]


def test_saving_the_page_unchanged_writes_nothing(admin_client, make_ticket, technician):
    ticket = make_ticket(assigned_to=technician, scheduled_date=NOW + timedelta(days=1))

    post_change(admin_client, ticket)

    assert ticket.timeline.count() == 0


def test_a_move_from_a_page_someone_else_overtook_is_refused(admin_client, make_ticket, technician):
    ticket = make_ticket(status=S.DIAGNOSTIC)
    data = page_as_posted(admin_client, change_url(ticket))
    ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)  # Meanwhile, on the floor.

    page = html.unescape(admin_client.post(change_url(ticket), {**data, "move_to": S.COMPLETED}).content.decode())

    assert "Ce ticket vient d'être modifié par quelqu'un d'autre. Rechargez la page." in page
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_an_edit_from_a_page_someone_else_overtook_keeps_his_move(admin_client, make_ticket, technician):
    ticket = make_ticket(status=S.DIAGNOSTIC)
    data = page_as_posted(admin_client, change_url(ticket))
    ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)

    admin_client.post(change_url(ticket), {**data, "title": "Graisser les engrenages"})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.title) == (S.IN_PROGRESS, "Graisser les engrenages")


def test_editing_the_title_in_the_admin_writes_an_update_row(admin_client, make_ticket):
    ticket = make_ticket(title="Bruit")

    post_change(admin_client, ticket, title="Bruit au convoyeur", priority="high")

    assert sorted(ticket.timeline.filter(action=A.UPDATED).values_list("note", "old_value", "new_value")) == [
        ("priority", "medium", "high"), ("title", "Bruit", "Bruit au convoyeur")]


def test_the_status_assignment_and_date_are_not_plain_fields_of_the_admin(admin_client, make_ticket):
    ticket = make_ticket()
    form = admin_client.get(change_url(ticket)).context["adminform"].form
    assert {"status", "assigned_to", "assigned_to_team", "scheduled_date", "completed_at"}.isdisjoint(form.fields)


def test_a_ticket_added_in_the_admin_gets_its_number_and_history(admin_client, machine, operator):
    response = admin_client.post(reverse("admin:tickets_ticket_add"), {
        "title": "Fuite d'huile", "description": "Sous la machine", "machine": machine.pk, "priority": "high",
        "reporter": operator.pk, "assignee": "team", "scheduled_for_0": "2025-11-13", "scheduled_for_1": "08:00",
    }, follow=True)

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.ticket_id == "IGP-POLISSEUSE-DOUBLE EDGER-20251112-001"
    assert (ticket.status, ticket.reporter, ticket.assigned_to_team) == (S.RECEIVED, operator, True)
    assert list(ticket.timeline.values_list("action", flat=True)) == [A.CREATED, A.ASSIGNED, A.SCHEDULED]


def test_a_ticket_cannot_be_added_in_the_name_of_someone_who_may_not_report(admin_client, machine):
    from accounts.roles import Role
    from tests.conftest import make_user

    viewer = make_user("lea@igp.test", Role.VIEWER)
    page = admin_client.post(reverse("admin:tickets_ticket_add"), {
        "title": "Fuite", "machine": machine.pk, "priority": "high", "reporter": viewer.pk,
    }).content.decode()

    assert "Cette personne n'a pas le droit de signaler un problème." in html.unescape(page)
    assert not Ticket.objects.exists()


# --- The list's actions ------------------------------------------------------
def run_action(client, action, tickets, **extra):
    return client.post(reverse("admin:tickets_ticket_changelist"),
                       {"action": action, "_selected_action": [t.pk for t in tickets], **extra}, follow=True)


def test_the_list_moves_several_tickets_and_names_the_ones_the_workflow_refuses(admin_client, make_ticket):
    diagnosing = make_ticket(status=S.DIAGNOSTIC)
    waiting = make_ticket(status=S.WAITING_PARTS)

    page = run_action(admin_client, "move_to_completed", [diagnosing, waiting]).content.decode()

    diagnosing.refresh_from_db()
    waiting.refresh_from_db()
    assert diagnosing.status == S.COMPLETED and diagnosing.completed_at == NOW
    assert waiting.status == S.WAITING_PARTS
    assert "1 ticket modifié." in page
    assert f"{waiting.ticket_id} : Passage de « En attente de pièces » à « Terminé » non permis." in page
    assert rows(diagnosing, A.STATUS_CHANGED) == [("diagnostic", "completed", "alice@igp.test")]


def test_the_list_gives_tickets_to_the_team_and_takes_them_back(admin_client, make_ticket, technician):
    tickets = [make_ticket(assigned_to=technician), make_ticket()]

    run_action(admin_client, "assign_to_team", tickets)
    assert Ticket.objects.filter(assigned_to_team=True, assigned_to=None).count() == 2
    run_action(admin_client, "unassign", tickets)
    assert not Ticket.objects.assigned().exists()
    assert TimelineEntry.objects.filter(action=A.ASSIGNED).count() == 4


def test_the_list_assigns_a_technician_after_asking_which_one(admin_client, make_ticket, technician, technician2):
    tickets = [make_ticket(), make_ticket()]

    page = run_action(admin_client, "assign_to_technician", tickets).content.decode()
    assert "Pierre Technicien" in page and "Jean Technicien" in page
    assert not Ticket.objects.assigned().exists(), "nothing changes before the technician is picked"

    run_action(admin_client, "assign_to_technician", tickets, technician=technician2.pk, apply="1")
    assert Ticket.objects.filter(assigned_to=technician2).count() == 2
    assert TimelineEntry.objects.filter(action=A.ASSIGNED, new_value="Pierre Technicien").count() == 2


def test_a_supervisor_gets_the_workflow_actions(client, supervisor, make_ticket):
    client.force_login(supervisor)
    actions = client.get(reverse("admin:tickets_ticket_changelist")).context["action_form"].fields["action"]
    names = {name for name, _label in actions.choices}
    assert {"move_to_in_progress", "assign_to_team", "assign_to_technician"} <= names


# --- Readable history (item 8) -----------------------------------------------
def test_the_admin_history_shows_status_labels_and_factory_time(admin_client, make_ticket, technician,
                                                                supervisor):
    ticket = make_ticket()
    ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)
    ticket_assign(ticket=ticket, by=supervisor, team=True)
    ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=NOW + timedelta(hours=2))

    page = admin_client.get(change_url(ticket)).content.decode()
    history = page[page.index('id="timeline-group"'):]

    assert "in_progress" not in history and "received" not in history
    assert "En cours" in history and "Reçu" in history
    assert "12/11/2025 11:26" in history, "the planned date in factory time, not its ISO code"


def test_a_timeline_row_reads_in_words(make_ticket, technician):
    ticket = make_ticket()
    ticket_move(ticket=ticket, to_status=S.WAITING_PARTS, by=technician)
    assert str(ticket.timeline.get()) == "Changement de statut (Reçu → En attente de pièces)"


def test_the_history_list_shows_labels_too(admin_client, make_ticket, technician):
    ticket = make_ticket()
    ticket_move(ticket=ticket, to_status=S.IN_PROGRESS, by=technician)
    page = admin_client.get(reverse("admin:tickets_timelineentry_changelist")).content.decode()
    assert "En cours" in page and "in_progress" not in page


def test_the_ticket_list_stays_at_a_fixed_number_of_queries(admin_client, make_ticket, technician,
                                                             django_assert_max_num_queries):
    url = reverse("admin:tickets_ticket_changelist")
    for _ in range(3):
        make_ticket(assigned_to=technician, scheduled_date=NOW - timedelta(days=1))
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for _ in range(20):
        make_ticket(assigned_to=technician, scheduled_date=NOW - timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(url).content.decode()
    assert page.count("EN RETARD") == 23


def test_comments_and_files_are_not_added_around_the_services(admin_client, make_ticket):
    ticket = make_ticket()
    assert admin_client.get(reverse("admin:tickets_comment_add")).status_code == 403
    assert admin_client.get(reverse("admin:tickets_media_add")).status_code == 403
    formsets = admin_client.get(change_url(ticket)).context["inline_admin_formsets"]
    assert all(inline.formset.max_num == 0 or not inline.has_add_permission for inline in formsets)


def test_the_workflow_fields_speak_english_to_an_english_admin(admin_client, make_ticket, technician, settings):
    ticket = make_ticket(status=S.IN_PROGRESS)
    ticket_move(ticket=ticket, to_status=S.WAITING_PARTS, by=technician)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = html.unescape(admin_client.get(change_url(ticket)).content.decode())

    assert "Moves allowed from “Waiting for parts”: Diagnosis, In progress." in page
    assert "Factory time. Empty: no date." in page
    assert "Passages permis" not in page and "Heure de l'usine" not in page
