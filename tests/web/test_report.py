import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.models import Media, Ticket

pytestmark = pytest.mark.django_db
REPORT = reverse("web:report")


def test_the_report_form_labels_every_field(signed_in, operator, machine):
    page = signed_in(operator).get(REPORT).content.decode()
    for name, label in [("machine", "Machine"), ("title", "Titre"), ("description", "Description"),
                        ("priority", "Priorité"), ("camera", "Prendre une photo"),
                        ("file", "Choisir des photos ou des vidéos")]:
        assert f'<label for="id_{name}">{label}' in page


def test_an_operator_reports_a_problem_and_sees_the_new_ticket_id(signed_in, operator, machine):
    response = signed_in(operator).post(REPORT, {
        "machine": machine.pk, "title": "Bruit anormal", "description": "Au démarrage", "priority": "high",
    }, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.reporter == operator and ticket.priority == "high" and ticket.status == "received"
    page = response.content.decode()
    assert f"Ticket {ticket.ticket_id} créé." in page
    assert "Bruit anormal" in page


def test_a_report_can_carry_a_photo(signed_in, operator, machine, photo):
    signed_in(operator).post(REPORT, {
        "machine": machine.pk, "title": "Vitre fissurée", "priority": "medium",
        "file": SimpleUploadedFile("fissure.png", photo),
    })
    assert Media.objects.get().ticket.title == "Vitre fissurée"


def test_a_report_with_a_bad_file_creates_nothing_and_says_why(signed_in, operator, machine):
    response = signed_in(operator).post(REPORT, {
        "machine": machine.pk, "title": "Vitre fissurée", "priority": "medium",
        "file": SimpleUploadedFile("fissure.png", b"not a picture"),
    })
    assert response.status_code == 400
    assert "Seules les photos et les vidéos sont acceptées." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_report_without_a_title_is_refused_next_to_the_field(signed_in, operator, machine):
    response = signed_in(operator).post(REPORT, {"machine": machine.pk, "title": "", "priority": "low"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Ticket.objects.exists()


def test_someone_who_may_not_report_is_told_so(signed_in, machine):
    from accounts.roles import Role
    from tests.conftest import make_user

    viewer = make_user("lecteur@igp.test", Role.VIEWER)
    response = signed_in(viewer).get(REPORT)
    assert response.status_code == 403
    assert "Vous n&#x27;avez pas le droit de signaler un problème." in response.content.decode()
    assert "Signaler un problème" not in signed_in(viewer).get(reverse("web:board")).content.decode()
