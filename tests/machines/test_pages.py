"""The QR label's promise (scan → report form with the machine chosen, through sign-in), the label
sheet, the machine list and the machine page."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from machines import labels
from tests.conftest import PASSWORD
from tickets.models import Machine


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def selected_machine(html):
    match = re.search(r'<option value="(\d+)" selected>', html)
    return int(match.group(1)) if match else None


def test_the_qr_code_carries_the_machine_s_id_on_the_public_address_not_its_name(machine, settings):
    settings.SITE_URL = "https://maintenance.igp.example"
    assert labels.scan_url(machine) == f"https://maintenance.igp.example/m/{machine.pk}/"
    before = labels.qr_svg(machine)
    machine.machine_type, machine.model, machine.location = "Four", "Renommé", "Ailleurs"
    machine.save()
    assert labels.qr_svg(machine) == before  # The printed label stays valid.
    assert before.startswith("<svg") and "Polisseuse" not in before


def test_a_signed_out_scan_goes_through_sign_in_and_comes_back_to_the_form(machine, operator):
    client = Client()
    scan = reverse("machines:scan", args=[machine.pk])
    response = client.get(scan)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={scan}"
    response = client.post(response["Location"], {"username": operator.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('web:report')}?machine={machine.pk}"
    assert selected_machine(response.content.decode()) == machine.pk


def test_the_report_form_takes_its_machine_from_the_address(machine, machine2, operator):
    html = signed_in(operator).get(reverse("web:report"), {"machine": machine2.pk}).content.decode()
    assert selected_machine(html) == machine2.pk
    assert "À l&#x27;arrêt" in html


def test_a_label_of_a_machine_deleted_since_opens_the_form_without_a_choice(operator, machine):
    gone = Machine.objects.create(machine_type="Four", model="Ancien")
    pk = gone.pk
    gone.delete()
    response = signed_in(operator).get(reverse("machines:scan", args=[pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:report")
    assert "n&#x27;existe plus" in html or "n'existe plus" in html
    assert selected_machine(html) is None


def test_the_label_sheet_shows_each_machine_with_its_code_and_particulars(supervisor, machine, machine2):
    html = signed_in(supervisor).get(reverse("machines:labels")).content.decode()
    assert html.count('class="label"') == 2
    for text in ("Polisseuse", "Double Edger", "Atelier polissage", "PDE-1", "WaterJet", "WJ-1"):
        assert text in html
    assert html.count('class="segno"') == 2
    assert "@media print" not in html  # The print rules are in the stylesheet, not inline (CSP).


def test_one_label_can_be_printed_from_the_machine_page(supervisor, machine, machine2):
    html = signed_in(supervisor).get(reverse("machines:labels"), {"machine": machine2.pk}).content.decode()
    assert html.count('class="label"') == 1 and "WJ-1" in html


@pytest.mark.parametrize("who", ["technician", "operator"])
def test_only_those_who_manage_machines_print_labels(request, who, machine):
    assert signed_in(request.getfixturevalue(who)).get(reverse("machines:labels")).status_code == 403


def test_the_qr_code_alone_is_an_svg_image(technician, machine):
    response = signed_in(technician).get(reverse("machines:qr", args=[machine.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_the_machine_page_shows_open_and_past_tickets_history_and_figures(
        technician, machine, make_ticket, supervisor, django_assert_num_queries):
    make_ticket(title="Fuite ouverte")
    make_ticket(title="Courroie changée", status="completed")
    from machines.services import machine_set_status

    machine_set_status(machine=machine, status="maintenance", by=supervisor, note="Révision")
    client = signed_in(technician)
    client.get(reverse("machines:detail", args=[machine.pk]))  # Session and permissions warmed up.
    # Session, user, permissions (2), the machine, open and past tickets, history, three for the figures, and
    # its preventive plans (planning's hook: one more, their open tickets, when it has plans).
    with django_assert_num_queries(12):
        html = client.get(reverse("machines:detail", args=[machine.pk])).content.decode()
    assert "Fuite ouverte" in html and "Courroie changée" in html
    assert "Révision" in html and "Marc Superviseur" in html
    assert 'id="preventive-plans"' in html  # The planning app's slot.
    assert "MTTR" in html and "MTBF" in html


def test_an_operator_sees_only_his_own_tickets_on_the_machine_page(operator, machine, make_ticket):
    make_ticket(title="Le ticket d'un autre")
    make_ticket(title="Mon signalement", reporter=operator)
    html = signed_in(operator).get(reverse("machines:detail", args=[machine.pk])).content.decode()
    assert "Mon signalement" in html and "un autre" not in html


def test_the_machine_list_links_every_machine_to_its_page(technician, machine, machine2, make_ticket):
    make_ticket()
    html = signed_in(technician).get(reverse("machines:list")).content.decode()
    assert reverse("machines:detail", args=[machine.pk]) in html
    assert reverse("machines:detail", args=[machine2.pk]) in html


def test_a_bad_period_is_said_not_crashed(technician, machine):
    response = signed_in(technician).get(reverse("machines:detail", args=[machine.pk]),
                                         {"du": "2025-11-10", "au": "2025-11-01"})
    assert response.status_code == 200
    assert "La date de début est après la date de fin." in response.content.decode()


def test_the_preventive_plans_slot_shows_the_planning_app_s_template_when_there_is_one(
        technician, machine, settings, tmp_path):
    (tmp_path / "planning").mkdir()
    (tmp_path / "planning" / "_machine_plans.html").write_text("<p>Plans de {{ machine.model }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    html = signed_in(technician).get(reverse("machines:detail", args=[machine.pk])).content.decode()
    assert "<p>Plans de Double Edger</p>" in html
