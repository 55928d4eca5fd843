"""Issue 11 item 11 in a real Chromium: a technician takes an unassigned ticket from his phone.

Helpers and the `open_page` fixture come from test_browser.py (hence F811: tests take the imported fixture).
"""
# ruff: noqa: F811
import pytest

from tickets.models import TimelineEntry

from .conftest import PHONE
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
