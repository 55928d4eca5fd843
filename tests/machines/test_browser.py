"""In Chromium: a scanned label through sign-in to the report form, the machine page and the label sheet,
at 390×844 and 1280×800 (screenshots in docs/screenshots with SCREENSHOTS_DIR)."""
import pytest
from django.urls import reverse

from machines import labels
from machines.services import machine_set_status
from tests.conftest import PASSWORD
from tests.web.test_browser import VIEWPORTS, assert_fits_a_thumb, shoot, sign_in, size_name
from tickets.models import Machine, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_scanned_label_signs_in_then_opens_the_form_with_the_machine_chosen(
        open_page, live_server, viewport, operator, machine, machine2, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    page = open_page(viewport)
    page.goto(labels.scan_url(machine2))  # What the phone's camera opens.
    page.get_by_label("Adresse courriel").fill(operator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}{reverse('web:report')}?machine={machine2.pk}")
    assert page.locator("#id_machine").input_value() == str(machine2.pk)
    page.get_by_label("À l'arrêt").check()
    page.get_by_label("Titre").fill("Buse bouchée")
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"qr-report-{size_name(viewport)}", full_page=True)
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url("**/tickets/**")
    ticket = Ticket.objects.get(title="Buse bouchée")
    assert ticket.machine == machine2
    assert Machine.objects.get(pk=machine2.pk).status == "out_of_service"
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_machine_page_on_a_phone_and_a_desktop(open_page, live_server, viewport, supervisor, machine,
                                                   make_ticket, screenshot_dir):
    make_ticket(title="Fuite d'huile au vérin")
    done = make_ticket(title="Courroie changée", status="completed")
    Ticket.objects.filter(pk=done.pk).update(completed_at=done.created_at)
    machine_set_status(machine=machine, status="out_of_service", by=supervisor, note="Vérin à remplacer")
    page = open_page(viewport)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("machines:detail", args=[machine.pk]))
    assert page.get_by_role("heading", name="Historique de l'état").is_visible()
    assert "Vérin à remplacer" in page.content()
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"machine-{size_name(viewport)}", full_page=True)
    assert page.errors == []


def test_the_label_sheet_prints_on_a4_three_labels_a_row(open_page, live_server, supervisor, machine, machine2,
                                                         screenshot_dir):
    for n in range(7):
        Machine.objects.create(machine_type="Four", model=f"F{n}", location="Fours", serial_number=f"F-{n}")
    page = open_page({"width": 1280, "height": 800})
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("machines:labels"))
    assert page.locator(".label").count() == 9
    shoot(page, screenshot_dir, "labels-desktop", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    tops = page.evaluate("() => [...document.querySelectorAll('.label')].slice(0, 4).map(e => "
                         "Math.round(e.getBoundingClientRect().top))")
    assert tops[0] == tops[1] == tops[2] < tops[3]  # Three a row on paper.
    shoot(page, screenshot_dir, "labels-print", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert page.errors == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_label_sheet_on_a_phone_still_fits(open_page, live_server, viewport, supervisor, machine, machine2):
    page = open_page(viewport)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + reverse("machines:labels"))
    assert_fits_a_thumb(page)
