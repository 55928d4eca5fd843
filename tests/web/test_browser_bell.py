"""The bell and the preferences in a real Chromium, on a phone (390×844) and a desktop (1280×800).

Decision tested here: the open board's poll carries the bell (its version includes the person's unread
notifications), so a ticket assigned to the reader lights the bell within one poll, without a reload;
every other page refreshes it on navigation. The poll runs every second here (BOARD_POLL_SECONDS=1).
"""
# ruff: noqa: F811
import pytest
from django.urls import reverse

from notifications.models import Channel, Kind, Notification
from notifications.preferences import preference_for
from tickets import services
from tickets.models import Ticket

from .conftest import DESKTOP, PHONE
from .test_browser import assert_fits_a_thumb, open_page, settled, shoot, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


def size_name(viewport):
    return "phone" if viewport == PHONE else "desktop"


@pytest.fixture(autouse=True)
def fast_poll(settings):
    settings.BOARD_POLL_SECONDS = 1


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_ticket_assigned_to_me_lights_the_bell_and_opening_it_opens_the_ticket_and_reads_it(
        open_page, live_server, viewport, technician, supervisor, make_ticket, screenshot_dir):
    make_ticket(title="Déjà là", assigned_to=technician)
    ticket = make_ticket(title="Fuite au convoyeur", priority=Ticket.Priority.HIGH)
    page = open_page(viewport)
    sign_in(page, live_server, technician.email)
    assert page.get_by_role("link", name="Notifications, aucune non lue").is_visible()
    if viewport == PHONE:  # the bell sits on the brand's row: the first card stays on the first screen
        first = page.locator(".card").first
        assert first.bounding_box()["y"] + first.bounding_box()["height"] <= PHONE["height"]

    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)  # the supervisor, elsewhere

    bell = page.get_by_role("link", name="1 notification non lue")
    bell.wait_for(timeout=10_000)
    page.get_by_role("status").filter(has_text="Nouveau ticket assigné").wait_for()
    assert bell.locator(".bell-count").inner_text() == "1"
    bell.click()
    panel = page.get_by_role("region", name="Notifications")
    panel.wait_for()
    item = panel.locator(".notif-unread .notif-link")
    assert f"Ticket assigné : {ticket.ticket_id}" in item.inner_text()
    assert "Fuite au convoyeur" in item.inner_text() and "Assigné par Marc Superviseur." in item.inner_text()
    assert item.locator(".notif-title").evaluate("e => getComputedStyle(e).fontWeight") == "800"
    assert page.locator("#bell").get_attribute("aria-expanded") == "true"
    shoot(page, screenshot_dir, f"bell-panel-{size_name(viewport)}")

    item.click()
    page.wait_for_url(f"**{ticket.get_absolute_url().replace(' ', '%20')}")
    settled(page)
    assert page.locator(".ticket-head").is_visible()
    page.get_by_role("link", name="Notifications, aucune non lue").wait_for()
    assert Notification.objects.get(recipient=technician).read_at is not None
    assert page.errors == []


def test_a_second_tap_or_escape_closes_the_panel(open_page, live_server, technician, supervisor, make_ticket):
    ticket = make_ticket(title="Courroie usée")
    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    bell = page.locator("#bell")
    panel = page.locator("#bell-panel")
    bell.click()
    panel.locator(".notif-link").wait_for()
    bell.click()
    assert panel.is_hidden() and bell.get_attribute("aria-expanded") == "false"
    bell.click()
    panel.locator(".notif-link").wait_for()
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.id") == "bell"
    assert page.errors == []


def test_mark_all_read_from_the_panel(open_page, live_server, technician, supervisor, make_ticket):
    for title in ("Un", "Deux"):
        services.ticket_assign(ticket=make_ticket(title=title), by=supervisor, technician=technician)
    page = open_page(DESKTOP)
    sign_in(page, live_server, technician.email)
    page.get_by_role("link", name="2 notifications non lues").click()
    page.get_by_role("button", name="Tout marquer comme lu").click()
    page.get_by_text("Toutes vos notifications sont lues.").wait_for()
    assert page.get_by_role("link", name="Notifications, aucune non lue").is_visible()
    assert page.locator(".notif-unread").count() == 0 and page.locator(".notif").count() == 2
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_without_javascript_the_bell_is_a_page(open_page, live_server, technician, supervisor, make_ticket):
    ticket = make_ticket(title="Sans script")
    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)
    page = open_page(PHONE, javascript=False)
    sign_in(page, live_server, technician.email)
    page.get_by_role("link", name="1 notification non lue").click()
    page.wait_for_url(f"**{reverse('notifications:inbox')}")
    page.locator(".notif-link").click()
    page.wait_for_url(f"**{ticket.get_absolute_url().replace(' ', '%20')}")
    assert Notification.objects.get().read_at is not None


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_preferences_are_saved_and_shown_again(open_page, live_server, viewport, technician, screenshot_dir):
    page = open_page(viewport)
    sign_in(page, live_server, technician.email)
    page.locator("#bell").click()
    page.get_by_role("link", name="Préférences").click()
    page.get_by_role("heading", name="Préférences de notification").wait_for()
    settled(page)
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"notification-preferences-{size_name(viewport)}", full_page=True)

    page.get_by_label("Ticket assigné — Courriel").check()
    page.get_by_label("Ticket terminé — Notification sur l'appareil").uncheck()
    page.get_by_label("Début").fill("22:00")
    page.get_by_label("Fin").fill("06:00")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Préférences enregistrées.").wait_for()
    page.reload()

    assert page.get_by_label("Ticket assigné — Courriel").is_checked()
    assert not page.get_by_label("Ticket terminé — Notification sur l'appareil").is_checked()
    assert page.get_by_label("Début").input_value() == "22:00"
    pref = preference_for(technician)
    assert pref.wants(Kind.TICKET_ASSIGNED, Channel.EMAIL) and not pref.wants(Kind.TICKET_COMPLETED, Channel.PUSH)
    assert page.errors == []


def test_half_quiet_hours_are_refused_with_the_message_beside_the_fields(open_page, live_server, technician,
                                                                        screenshot_dir):
    page = open_page(PHONE)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + reverse("notifications:preferences"))
    page.get_by_label("Début").fill("22:00")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("alert").filter(has_text="Indiquez le début et la fin").wait_for()
    assert page.get_by_label("Début").input_value() == "22:00"  # what was typed stays
    shoot(page, screenshot_dir, "notification-preferences-error-phone")
