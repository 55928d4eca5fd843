"""Issue 11, the floor's pages in a real Chromium: language, "Mine", the main button,
the board on a phone, form errors, a lost connection.

Helpers and the `open_page` fixture come from test_browser.py.
"""
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tickets.models import Ticket

from .conftest import DESKTOP, PHONE
from .test_browser import assert_fits_a_thumb, open_page, settled, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


def test_a_technician_switches_to_english_and_it_follows_him_to_another_browser(
        browser, open_page, live_server, technician, make_ticket):
    ticket = make_ticket(title="Noisy bearing", assigned_to=technician)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Ticket board").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Français").is_visible()
    assert_fits_a_thumb(page)
    page.locator(".card-link", has_text="Noisy bearing").click()
    page.get_by_role("heading", name="Change status").wait_for()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Sign in").wait_for()

    other = open_page(DESKTOP)  # another browser: French until he signs in
    other.goto(live_server.url + reverse("web:login"))
    other.get_by_label("Adresse courriel").fill(technician.email)
    other.get_by_label("Mot de passe").fill(PASSWORD)
    other.get_by_role("button", name="Se connecter").click()
    other.get_by_role("heading", name="Ticket board").wait_for()
    assert other.locator(".card", has_text=ticket.ticket_id).is_visible()
    assert page.errors == [] and other.errors == []


def test_mine_on_a_phone_holds_the_team_tickets_and_reported_by_me_the_others(
        open_page, live_server, technician, technician2, make_ticket):
    make_ticket(title="Pour toute l'équipe", assigned_to_team=True)
    make_ticket(title="Pour Jean", assigned_to=technician)
    make_ticket(title="Vu par Jean", reporter=technician, assigned_to=technician2)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)

    page.get_by_role("link", name="Les miens").click()
    page.wait_for_url("**vue=mine*")
    settled(page)
    titles = page.locator(".card .ttl").all_inner_texts()
    assert sorted(titles) == ["Pour Jean", "Pour toute l'équipe"]

    page.get_by_role("link", name="Signalés par moi").click()
    page.wait_for_url("**vue=reported*")
    settled(page)
    assert page.locator(".card .ttl").all_inner_texts() == ["Vu par Jean"]
    assert_fits_a_thumb(page)
    assert page.errors == []


def test_on_an_in_progress_ticket_the_filled_button_finishes_the_work(open_page, live_server, technician,
                                                                      make_ticket):
    ticket = make_ticket(status=S.IN_PROGRESS, assigned_to=technician)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())

    buttons = page.locator(".moves button")
    assert buttons.first.inner_text() == "Terminé"
    assert page.locator(".moves .btn-primary").all_inner_texts() == ["Terminé"]
    assert buttons.last.inner_text() == "Diagnostic"  # the step back comes last, not filled
    page.locator(".moves .btn-primary").click()
    page.get_by_text("Statut changé : Terminé.").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == S.COMPLETED
    assert page.locator(".moves .btn-primary").all_inner_texts() == ["Archivé"]
    assert page.errors == []
