"""Issue 11 item 11 in a real Chromium: a technician takes an unassigned ticket from his phone.

Helpers and the `open_page` fixture come from test_browser.py (hence F811: tests take the imported fixture).
"""
# ruff: noqa: F811
import pytest

from tickets.models import Ticket, TimelineEntry

from .conftest import DESKTOP, PHONE
from .test_browser import assert_fits_a_thumb, open_page, settled, shoot, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_a_technician_taps_je_m_en_occupe_and_the_ticket_is_his(
        open_page, live_server, technician, make_ticket, screenshot_dir):
    ticket = make_ticket()
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())

    take = page.get_by_role("button", name="Je m'en occupe")
    assert take.is_visible() and take.bounding_box()["y"] < PHONE["height"]  # on the first screen
    shoot(page, screenshot_dir, "take-phone-before")
    take.click()
    page.get_by_text("Le ticket est à vous.").wait_for()
    settled(page)
    shoot(page, screenshot_dir, "take-phone-after")

    ticket.refresh_from_db()
    assert ticket.assigned_to == technician
    assert page.get_by_role("button", name="Je m'en occupe").count() == 0
    assert "Jean Technicien" in page.locator(".b-assigned").inner_text()
    assert ticket.timeline.filter(action=TimelineEntry.Action.ASSIGNED, actor=technician).count() == 1
    assert_fits_a_thumb(page)
    assert page.errors == []


def test_on_a_desktop_a_supervisor_edits_then_deletes_a_ticket_after_confirming(
        open_page, live_server, supervisor, make_ticket, screenshot_dir):
    ticket = make_ticket()
    number = ticket.ticket_id
    page = open_page(DESKTOP)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    shoot(page, screenshot_dir, "ticket-tools-desktop", full_page=True)

    page.get_by_role("link", name="Modifier le ticket").click()
    page.get_by_label("Titre").fill("Courroie usée")
    page.get_by_label("Priorité").select_option("high")
    shoot(page, screenshot_dir, "ticket-edit-desktop")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Ticket modifié.").wait_for()
    settled(page)
    assert page.locator("h1").inner_text() == "Courroie usée"

    page.get_by_role("link", name="Supprimer le ticket").click()
    page.get_by_role("heading", name="Supprimer ce ticket ?").wait_for()
    shoot(page, screenshot_dir, "ticket-delete-desktop")
    page.get_by_role("button", name="Oui, supprimer définitivement").click()
    page.get_by_text(f"Ticket {number} supprimé.").wait_for()
    assert not Ticket.objects.filter(ticket_id=number).exists()
    assert page.errors == []
