"""The Django admin in a real Chromium at 1280×800: nothing cut off on the right.

A supervisor works the admin on an office PC; a column that only shows after a
sideways scroll (the ticket list's last columns, the webhook history's
"Réussi / Erreur") is a column nobody reads.
"""
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import WebhookEndpoint, WebhookNotification
from tests.conftest import PASSWORD
from tickets.models import Comment, Ticket
from tickets.services import ticket_assign, ticket_move, ticket_schedule

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH_JS = "() => document.documentElement.scrollWidth"
# The changelist's table scrolls inside its own box: a cut-off column leaves the page's width alone.
LIST_CUT_JS = """() => { const box = document.querySelector('#changelist .results');
  const last = document.querySelector('#result_list thead th:last-child');
  return box ? [box.scrollWidth - box.clientWidth, Math.round(last.getBoundingClientRect().right)] : [0, 0]; }"""
PASTED = "https://fournisseur.example/pieces/" + "chaine-convoyeur-entree-" * 12
LONG = ("Le convoyeur d'entrée saute une dent toutes les trois minutes environ ; la chaîne a été retendue "
        "mais le bruit revient dès que la ligne passe à pleine vitesse, surtout avec les grands volumes. ") * 3


@pytest.fixture
def admin_page(browser, live_server, supervisor):
    context = browser.new_context(viewport=DESKTOP, locale="fr-CA")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", supervisor.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    yield page
    context.close()


@pytest.fixture
def busy_ticket(make_ticket, machine, supervisor, technician):
    """A ticket as the floor leaves it: a long title, long comments, moves, an alert history."""
    ticket = make_ticket(title="Polisseuse double : bruit anormal du convoyeur d'entrée à pleine vitesse",
                         description=LONG, priority="critical")
    ticket_assign(ticket=ticket, by=supervisor, technician=technician)
    ticket_schedule(ticket=ticket, by=supervisor, scheduled_date=timezone.now() + timedelta(days=1))
    ticket_move(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, by=technician)
    Comment.objects.create(ticket=ticket, author=technician, body=LONG + PASTED)
    endpoint = WebhookEndpoint.objects.create(name="Pabbly Connect (production)",
                                              url="https://connect.pabbly.com/workflow/sendwebhookdata/" + "x" * 60)
    for attempt in range(1, 4):
        WebhookNotification.objects.create(
            ticket=ticket, endpoint=endpoint, notification_type="overdue_scheduled", attempt=attempt,
            notification_id=uuid.UUID(int=attempt), duration=timedelta(seconds=1), webhook_url=endpoint.url,
            sent_at=timezone.now(),
            response_status=500, succeeded=False, error="Code HTTP 500 reçu : " + PASTED)
    late = make_ticket(title="Fuite d'huile sous la table de coupe", machine=machine, priority="high")
    ticket_assign(ticket=late, by=supervisor, team=True)
    ticket_schedule(ticket=late, by=supervisor, scheduled_date=timezone.now() - timedelta(days=2))
    return ticket


def test_the_admin_pages_fit_a_1280_pixel_screen(admin_page, live_server, busy_ticket, screenshot_dir):
    page = admin_page
    pages = {
        "admin-ticket-list": reverse("admin:tickets_ticket_changelist"),
        "admin-ticket-change": reverse("admin:tickets_ticket_change", args=[busy_ticket.pk]),
        "admin-webhook-history": reverse("admin:notifications_webhooknotification_changelist"),
    }
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
        assert page.evaluate(WIDTH_JS) <= DESKTOP["width"], f"{name} défile sur le côté"
        hidden, right = page.evaluate(LIST_CUT_JS)
        assert hidden <= 0 and right <= DESKTOP["width"], f"{name} : des colonnes sont coupées"

    page.goto(live_server.url + pages["admin-ticket-list"])
    assert page.locator("#result_list .igp-late").inner_text() == "EN RETARD"

    page.goto(live_server.url + pages["admin-webhook-history"])
    success = page.locator("#result_list thead th.column-succeeded")
    assert success.is_visible()
    box = success.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"], "la colonne Réussi est coupée"
