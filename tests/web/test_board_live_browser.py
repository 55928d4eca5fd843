"""Issue 11 item 12 in a real Chromium: the open board shows a colleague's changes without a reload.

The poll runs every second here (BOARD_POLL_SECONDS=1); the tests wait for what a person would see, with a timeout.
"""
# ruff: noqa: F811
import pytest

from tickets import services
from tickets.models import Ticket

from .conftest import DESKTOP, PHONE
from .test_browser import open_page, settled, shoot, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


@pytest.fixture(autouse=True)
def fast_poll(settings):
    settings.BOARD_POLL_SECONDS = 1


def test_a_ticket_assigned_to_me_appears_on_my_open_board_with_a_quiet_toast_on_a_phone(
        open_page, live_server, technician, supervisor, make_ticket, screenshot_dir):
    make_ticket(title="Déjà à moi", assigned_to=technician)
    ticket = make_ticket(title="Fuite au convoyeur", priority=Ticket.Priority.HIGH)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    card = page.locator(".card", has_text="Fuite au convoyeur")
    assert card.locator(".b-assigned").count() == 0

    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)  # the supervisor, elsewhere

    toast = page.get_by_role("status").filter(has_text="Nouveau ticket assigné")
    toast.wait_for(timeout=10_000)
    assert ticket.ticket_id in toast.inner_text() and "Fuite au convoyeur" in toast.inner_text()
    card.locator(".b-assigned").wait_for(timeout=5_000)
    assert "?" not in page.url  # the address is the board's, never the poll's
    shoot(page, screenshot_dir, "board-live-toast-phone")
    page.get_by_role("button", name="Fermer").click()
    assert not toast.is_visible()
    assert page.errors == []


def test_a_status_moved_by_a_colleague_moves_the_card_on_my_desktop_board_and_my_typed_search_stays(
        open_page, live_server, technician, supervisor, make_ticket):
    ticket = make_ticket(title="Presse bloquée", assigned_to=technician)
    page = open_page(DESKTOP)
    sign_in(page, live_server, technician.email)
    page.get_by_label("Rechercher").fill("presse en cours de frappe")  # typed, not sent yet
    assert page.locator("#col-received .card", has_text="Presse bloquée").is_visible()

    services.ticket_move(ticket=ticket, to_status=S.DIAGNOSTIC, by=supervisor)

    page.locator("#col-diagnostic .card", has_text="Presse bloquée").wait_for(timeout=10_000)
    assert page.locator("#col-received .card", has_text="Presse bloquée").count() == 0
    assert page.get_by_label("Rechercher").input_value() == "presse en cours de frappe"
    assert page.locator("#board-toast").inner_text() == ""  # already his: no toast
    assert page.errors == []


def test_a_poll_that_fails_offline_shows_no_error_box_and_the_board_catches_up_when_back(
        open_page, live_server, technician, supervisor, make_ticket):
    ticket = make_ticket(title="Courroie usée", assigned_to=technician)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    settled(page)
    page.context.set_offline(True)
    with page.expect_event("requestfailed", timeout=10_000):
        pass
    assert page.locator("#net-error").is_hidden()  # the poll is not the person's action
    services.ticket_move(ticket=ticket, to_status=S.DIAGNOSTIC, by=supervisor)
    page.context.set_offline(False)
    page.locator("#col-diagnostic .card", has_text="Courroie usée").wait_for(timeout=10_000)
    assert page.locator("#net-error").is_hidden()
