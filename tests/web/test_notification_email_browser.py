"""The notification e-mail as a phone's and a desktop's mail client show it (HTML part in Chromium):
title, sentence and the "open the ticket" button on the first screen, nothing wider than the screen."""
import pytest

from notifications.fanout import notify, ticket_params
from notifications.models import Delivery, Kind
from notifications.transports import email
from tests.conftest import NOW

from .conftest import DESKTOP, PHONE
from .test_browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_overdue_email_reads_on_a_phone_and_a_desktop(browser, viewport, settings, technician, make_ticket,
                                                          screenshot_dir):
    settings.SITE_URL = "https://maintenance.igp.test"
    ticket = make_ticket(title="Remplacer la courroie du convoyeur de la trempe", priority="high",
                         assigned_to=technician)
    notify(Kind.TICKET_OVERDUE, recipients=[technician], ticket=ticket, key="k", now=NOW,
           params=ticket_params(ticket, days=2, hours=9, minutes=26))
    message = email.build(Delivery.objects.select_related("person_notification__recipient").get())
    html = message.alternatives[0][0]

    page = browser.new_page(viewport=viewport)
    page.set_content(html)

    button = page.get_by_role("link", name="Ouvrir le ticket")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], "the button is on the first screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.get_by_role("heading", name=f"Ticket en retard : {ticket.ticket_id}").is_visible()
    assert page.get_by_text("En retard de 2 j 9 h 26 min.").is_visible()
    assert button.get_attribute("href") == settings.SITE_URL + ticket.get_absolute_url()
    shoot(page, screenshot_dir, f"email-overdue-{'phone' if viewport is PHONE else 'desktop'}")
    page.close()
