import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import NOW
from tickets.models import Comment, Media, Ticket

pytestmark = pytest.mark.django_db
S = Ticket.Status


def url(name, ticket, **extra):
    return reverse(f"web:{name}", kwargs={"ticket_id": ticket.ticket_id, **extra})


@pytest.fixture
def ticket(make_ticket, technician):
    return make_ticket(assigned_to=technician, scheduled_date=NOW - timedelta(days=2, hours=9, minutes=26))


def test_the_ticket_page_shows_everything_about_the_ticket(signed_in, technician, ticket):
    Comment.objects.create(ticket=ticket, author=technician, body="Graisse commandée")
    with time_machine.travel(NOW, tick=False):
        page = signed_in(technician).get(ticket.get_absolute_url()).content.decode()
    assert ticket.ticket_id in page
    assert "Ajouter de la graisse aux engrenages" in page
    assert "Engrenages d&#x27;entraînement" in page
    assert "Polisseuse Double Edger" in page
    assert "Marc Superviseur" in page  # the reporter
    assert "<strong>EN RETARD</strong> · 2 jour(s) 9h 26min" in page
    assert "<strong>ASSIGNÉ</strong> · Jean Technicien" in page
    assert "<strong>PLANIFIÉ</strong> · lundi 10 novembre 2025, 00:00" in page
    assert "Graisse commandée" in page
    assert "Historique" in page


def test_the_ticket_id_with_spaces_and_accents_opens_the_page(signed_in, technician, make_ticket):
    from tickets.models import Machine

    four = Machine.objects.create(machine_type="Four de trempe", model="Glaston é")
    ticket = make_ticket(machine=four)
    assert " " in ticket.ticket_id and "É" in ticket.ticket_id
    assert signed_in(technician).get(ticket.get_absolute_url()).status_code == 200


def test_an_operator_cannot_open_someone_elses_ticket(signed_in, operator, ticket):
    response = signed_in(operator).get(ticket.get_absolute_url())
    assert response.status_code == 404
    assert "vous n'y avez pas accès" in response.content.decode()


def test_an_operator_cannot_act_on_someone_elses_ticket_either(signed_in, operator, ticket):
    client = signed_in(operator)
    assert client.post(url("ticket-comment", ticket), {"body": "coucou"}).status_code == 404
    assert not ticket.comments.exists()


def test_a_technician_sees_one_button_per_allowed_move(signed_in, technician, ticket):
    page = signed_in(technician).get(ticket.get_absolute_url()).content.decode()
    for status in ticket.allowed_statuses():
        assert f'name="status" value="{status}"' in page
    assert 'value="completed"' not in page  # not reachable from "received"


@pytest.mark.parametrize("status, main, first_back", [
    (S.RECEIVED, "diagnostic", None),
    (S.DIAGNOSTIC, "in_progress", "received"),
    (S.IN_PROGRESS, "completed", "diagnostic"),
    (S.WAITING_PARTS, "in_progress", "diagnostic"),
    (S.COMPLETED, "archived", "in_progress"),
    (S.ARCHIVED, None, "in_progress"),
])
def test_the_filled_button_is_the_next_step_forward_and_steps_back_come_last(
        signed_in, technician, make_ticket, status, main, first_back):
    ticket = make_ticket(status=status)
    page = signed_in(technician).get(ticket.get_absolute_url()).content.decode()
    buttons = re.findall(r'<button class="btn btn-block( btn-primary)?" type="submit" name="status" value="(\w+)"',
                         page)
    filled = [value for primary, value in buttons if primary]
    assert filled == ([main] if main else [])
    values = [value for _, value in buttons]
    if main:
        assert values[0] == main
    if first_back:
        rank = {"received": 0, "diagnostic": 1, "in_progress": 2, "waiting_parts": 2, "completed": 3, "archived": 4}
        back = [v for v in values if rank[v] < rank[status]]
        assert back[0] == first_back and values[-len(back):] == back


def test_an_operator_sees_no_move_button_nor_assign_form_on_his_ticket(signed_in, operator, make_ticket):
    mine = make_ticket(reporter=operator)
    page = signed_in(operator).get(mine.get_absolute_url()).content.decode()
    assert 'name="status"' not in page
    assert "Assigner et planifier" not in page
    assert "Votre commentaire" in page  # operators may still comment and add photos
    assert "Prendre une photo" in page


def test_a_technician_moves_the_ticket_and_sees_it_said(signed_in, technician, ticket):
    client = signed_in(technician)
    response = client.post(url("ticket-move", ticket), {"status": "in_progress", "from_status": "received"},
                           follow=True)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert "Statut changé : En cours." in response.content.decode()
    assert ticket.timeline.filter(action="status_changed", new_value="in_progress").exists()


def test_a_move_the_workflow_forbids_is_refused_with_a_message(signed_in, technician, ticket):
    response = signed_in(technician).post(url("ticket-move", ticket), {"status": "archived"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == S.RECEIVED
    assert "non permis" in response.content.decode()


def test_moving_a_ticket_someone_else_just_moved_says_so(signed_in, technician, technician2, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=S.DIAGNOSTIC)  # Pierre was quicker
    response = signed_in(technician).post(url("ticket-move", ticket),
                                          {"status": "in_progress", "from_status": "received"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == S.DIAGNOSTIC
    assert "vient d&#x27;être modifié par quelqu&#x27;un d&#x27;autre" in response.content.decode()


def test_an_operator_posting_a_move_is_refused_by_the_server(signed_in, operator, make_ticket):
    mine = make_ticket(reporter=operator)
    response = signed_in(operator).post(url("ticket-move", mine), {"status": "diagnostic"}, follow=True)
    mine.refresh_from_db()
    assert mine.status == S.RECEIVED
    assert "Vous n&#x27;avez pas le droit de changer le statut" in response.content.decode()


def test_an_action_address_opened_without_a_post_shows_the_ticket_not_a_405(signed_in, technician, ticket):
    client = signed_in(technician)
    for name in ("ticket-move", "ticket-comment", "ticket-media-upload", "ticket-assign", "ticket-schedule"):
        response = client.get(url(name, ticket))
        assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.status == S.RECEIVED


def test_a_comment_is_added_and_shown(signed_in, technician, ticket):
    response = signed_in(technician).post(url("ticket-comment", ticket), {"body": "Pièce commandée"}, follow=True)
    assert "Commentaire ajouté." in response.content.decode()
    assert "Pièce commandée" in response.content.decode()
    assert ticket.comments.get().author == technician


def test_an_empty_comment_comes_back_on_the_ticket_page_with_the_error_next_to_the_field(
        signed_in, technician, ticket):
    client = signed_in(technician)
    response = client.post(url("ticket-comment", ticket), {"body": "  "})
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url() + "#commentaires"
    page = client.get(ticket.get_absolute_url()).content.decode()
    field = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_body_error"' in field and "autofocus" in field
    assert re.search(r'<div id="id_body_error" role="alert"><p class="field-error">[^<]+</p>', page)
    assert not ticket.comments.exists()
    assert "field-error" not in client.get(ticket.get_absolute_url()).content.decode()  # said once


def test_a_refused_form_keeps_what_was_typed(signed_in, technician, ticket):
    client = signed_in(technician)
    long_text = "Roulement changé. " * 300  # over the 5,000 characters a comment may hold
    page = client.post(url("ticket-comment", ticket), {"body": long_text}, follow=True).content.decode()
    assert long_text.strip() in page
    assert 'aria-invalid="true"' in page


def test_an_empty_file_is_refused_next_to_the_file_field(signed_in, technician, ticket):
    client = signed_in(technician)
    empty = SimpleUploadedFile("vide.jpg", b"", content_type="image/jpeg")
    response = client.post(url("ticket-media-upload", ticket), {"file": empty}, follow=True)
    assert response.redirect_chain[-1][0] == ticket.get_absolute_url() + "#photos"
    page = response.content.decode()
    assert re.search(r'<input type="file" name="file"[^>]*aria-invalid="true"', page)
    assert 'id="id_file_error" role="alert"' in page
    assert not ticket.media.exists()


def test_a_photo_from_the_phone_is_attached_and_served_to_those_who_may_see_it(
        signed_in, technician, operator, ticket, photo):
    client = signed_in(technician)
    upload = SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg")
    response = client.post(url("ticket-media-upload", ticket), {"camera": upload}, follow=True)
    assert "Fichier ajouté : IMG_0001.jpg." in response.content.decode()
    media = Media.objects.get(ticket=ticket)
    assert media.content_type == "image/png"  # read from the bytes, not the name
    served = client.get(url("ticket-media", ticket, media_id=media.pk))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == photo
    assert signed_in(operator).get(url("ticket-media", ticket, media_id=media.pk)).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(signed_in, technician, ticket):
    upload = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = signed_in(technician).post(url("ticket-media-upload", ticket), {"file": upload}, follow=True)
    assert "Seules les photos et les vidéos sont acceptées." in response.content.decode()
    assert not Media.objects.exists()


def test_the_upload_form_offers_the_camera(signed_in, technician, ticket):
    page = signed_in(technician).get(ticket.get_absolute_url()).content.decode()
    assert 'capture="environment"' in page
    assert 'accept="image/*,video/*"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_supervisor_assigns_to_the_whole_team_and_schedules_in_factory_time(signed_in, supervisor, ticket):
    client = signed_in(supervisor)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Assigner et planifier" in page
    response = client.post(url("ticket-assign", ticket), {"assignee": "team"}, follow=True)
    assert "Ticket assigné à Équipe complète." in response.content.decode()
    client.post(url("ticket-schedule", ticket), {"scheduled_date": "2025-11-20T08:30"})
    ticket.refresh_from_db()
    assert ticket.assigned_to_team and ticket.assigned_to is None
    assert ticket.scheduled_date.isoformat() == "2025-11-20T13:30:00+00:00"  # 08:30 in Quebec


def test_a_supervisor_assigns_a_technician_and_clears_the_schedule(signed_in, supervisor, technician2, ticket):
    client = signed_in(supervisor)
    client.post(url("ticket-assign", ticket), {"assignee": str(technician2.pk)})
    client.post(url("ticket-schedule", ticket), {"scheduled_date": ""})
    ticket.refresh_from_db()
    assert ticket.assigned_to == technician2
    assert ticket.scheduled_date is None


def test_a_technician_has_no_assign_form_and_the_server_refuses_his_post(signed_in, technician, ticket):
    client = signed_in(technician)
    assert "Assigner et planifier" not in client.get(ticket.get_absolute_url()).content.decode()
    response = client.post(url("ticket-schedule", ticket), {"scheduled_date": ""}, follow=True)
    ticket.refresh_from_db()
    assert ticket.scheduled_date is not None
    assert "Vous n&#x27;avez pas le droit de planifier ce ticket." in response.content.decode()


def test_a_supervisor_reads_the_alert_history(signed_in, supervisor, ticket, monkeypatch):
    import notifications.selectors

    row = SimpleNamespace(sent_at=NOW, webhook_url="https://hooks.example.test/igp", response_status=200,
                          succeeded=True, error="", attempt=1, notification_id=7)
    failed = SimpleNamespace(sent_at=NOW, webhook_url="https://hooks.example.test/igp", response_status=500,
                             succeeded=False, error="Received status code 500", attempt=2, notification_id=8)
    monkeypatch.setattr(notifications.selectors, "alert_history", lambda t, limit=20: [failed, row])
    page = signed_in(supervisor).get(ticket.get_absolute_url()).content.decode()
    assert "Alertes de retard envoyées" in page
    assert "HTTP 200" in page and "Envoyée" in page
    assert "Received status code 500" in page and "Échec" in page


def test_a_technician_does_not_see_the_alert_history(signed_in, technician, ticket):
    assert "Alertes de retard envoyées" not in signed_in(technician).get(ticket.get_absolute_url()).content.decode()
