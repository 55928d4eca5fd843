"""The pages in a real Chromium, on a phone (390×844) and a desktop (1280×800).

Each test builds its own people and tickets, so they run in any order and in
parallel. Every page is checked for what a phone user would notice first: no
sideways scrolling, tap targets of at least 44 px, no error in the console
(a CSP violation shows there).
"""
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tickets.models import Comment, Media, Ticket

from .conftest import DESKTOP, PHONE, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
S = Ticket.Status

# What must be big enough to hit with a thumb.
TAPPABLE = "a.btn, button, input:not([type=hidden]), select, textarea, .card-link, .jump a, .switch a, .more"
UNDERSIZED_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return [e.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]; })
  .filter(([html, w, h]) => w < 44 || h < 44)"""
UNLABELLED_JS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML.slice(0, 80))"""
CUT_OFF_JS = """() => [document.documentElement.scrollWidth - window.innerWidth,
  [...document.querySelectorAll('.col, .card, .box, .panel, .banner, .filters')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.outerHTML.slice(0, 80))]"""


def size_name(viewport):
    return "phone" if viewport == PHONE else "desktop"


@pytest.fixture
def open_page(browser):
    """open_page(viewport, javascript=True, **context_options) -> a fresh page that records console errors in
    page.errors (context options: e.g. has_touch=True, is_mobile=True for a phone's touch screen)."""
    contexts = []

    def _open(viewport, javascript=True, **options):
        context = browser.new_context(viewport=viewport, locale="fr-CA", java_script_enabled=javascript, **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.set_default_timeout(10_000)
        return page

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, live_server, email):
    page.goto(live_server.url + reverse("web:login"))
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + reverse("web:board"))


def assert_fits_a_thumb(page):
    """Nothing cut off or scrolling sideways, every control big enough and labelled."""
    overflow, cut_off = page.evaluate(CUT_OFF_JS)
    assert overflow <= 0, "la page défile sur le côté"
    assert cut_off == []
    assert page.evaluate(UNDERSIZED_JS, TAPPABLE) == []
    assert page.evaluate(UNLABELLED_JS) == []


def settled(page):
    """Wait until htmx has finished swapping the new page in (and moved the focus to it)."""
    page.locator("body:not(.htmx-swapping):not(.htmx-settling)").wait_for()


def shoot(page, screenshot_dir, name, **kwargs):
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), **kwargs)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_technician_works_an_overdue_ticket(open_page, live_server, viewport, technician, make_ticket,
                                              make_ticket_extra, screenshot_dir):
    size = size_name(viewport)
    late = timezone.now() - timedelta(days=2, hours=9, minutes=26)
    overdue = make_ticket(assigned_to=technician, scheduled_date=late)
    make_ticket_extra(technician)
    page = open_page(viewport)

    sign_in(page, live_server, technician.email)
    card = page.locator(".card", has_text=overdue.ticket_id)
    assert re.search(r"EN RETARD · 2 jour\(s\) 9h 2[67]min", card.inner_text())
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"board-{size}")

    card.locator(".card-link").click()
    page.wait_for_selector(".ticket-head")
    settled(page)
    banner = page.locator(".banners .b-late")
    assert re.fullmatch(r"EN RETARD · 2 jour\(s\) 9h 2[67]min", banner.inner_text().strip())
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"ticket-overdue-{size}")
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser reloads the whole page

    page.get_by_role("button", name="En cours", exact=True).click()
    page.get_by_text("Statut changé : En cours.").wait_for()
    settled(page)
    assert page.locator(".ticket-head .badge").first.inner_text().endswith("En cours")
    assert page.locator(".banners .b-late").count() == 0  # started: no longer late

    page.get_by_label("Votre commentaire").fill("Graisse ajoutée, on surveille.")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.get_by_text("Commentaire ajouté.").wait_for()
    settled(page)
    assert "Graisse ajoutée, on surveille." in page.locator(".comments").inner_text()

    page.get_by_label("Choisir des photos ou des vidéos").set_input_files(
        files=[{"name": "engrenages.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)}])
    page.get_by_role("button", name="Envoyer les fichiers").click()
    page.get_by_text("Fichier ajouté : engrenages.png.").wait_for()
    image = page.locator(".gallery img")
    image.wait_for()
    natural_width = image.evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth); })")
    assert natural_width == 64  # served through the permission-checking view
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the pages in place
    assert_fits_a_thumb(page)
    page.locator("#photos").scroll_into_view_if_needed()
    shoot(page, screenshot_dir, f"ticket-worked-{size}")

    overdue.refresh_from_db()
    assert overdue.status == S.IN_PROGRESS
    assert Comment.objects.get(ticket=overdue).author == technician
    assert Media.objects.get(ticket=overdue).uploaded_by == technician
    assert page.errors == []


@pytest.fixture
def make_ticket_extra(make_ticket, machine2, technician2):
    """A few other tickets so the board looks like a working day."""

    def _make(technician):
        make_ticket(title="Vérifier la pression du circuit d'eau", machine=machine2, status=S.DIAGNOSTIC,
                    priority=Ticket.Priority.HIGH, assigned_to_team=True,
                    scheduled_date=timezone.now() + timedelta(days=1))
        make_ticket(title="Bruit anormal au démarrage", priority=Ticket.Priority.CRITICAL)
        make_ticket(title="Calibrer les capteurs", status=S.IN_PROGRESS, assigned_to=technician2)
        make_ticket(title="Courroie à commander", status=S.WAITING_PARTS, priority=Ticket.Priority.LOW)
        make_ticket(title="Nettoyage des buses", machine=machine2, status=S.COMPLETED, assigned_to=technician)

    return _make


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_operator_reports_a_problem_and_cannot_open_someone_elses_ticket(
        open_page, live_server, viewport, operator, machine, machine2, make_ticket, screenshot_dir):
    size = size_name(viewport)
    someone_elses = make_ticket(title="Ticket du superviseur")
    page = open_page(viewport)

    sign_in(page, live_server, operator.email)
    assert "Ticket du superviseur" not in page.content()
    page.get_by_role("link", name="Signaler un problème").click()
    page.wait_for_url("**/signaler/")  # htmx swaps the page in: wait for it before filling
    page.get_by_role("heading", name="Signaler un problème").wait_for()
    page.locator("#contenu:focus").wait_for()  # htmx has settled and moved the focus to the new page
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # visible focus
    page.get_by_label("Machine").select_option(label=str(machine2))
    page.get_by_label("Titre").fill("Fuite d'eau sous la table")
    page.get_by_label("Description").fill("Une flaque se forme pendant la découpe.")
    page.get_by_label("Priorité").select_option("high")
    page.get_by_label("Choisir des photos ou des vidéos").set_input_files(
        files=[{"name": "flaque.png", "mimeType": "image/png", "buffer": png_bytes(32, 24)}])
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"report-{size}")
    page.get_by_role("button", name="Envoyer le signalement").click()

    page.locator(".msg-success").wait_for()
    ticket = Ticket.objects.get(reporter=operator)
    assert page.locator(".msg-success").inner_text() == f"Ticket {ticket.ticket_id} créé. Merci !"
    assert page.locator(".ticket-head .tid").inner_text() == ticket.ticket_id
    assert ticket.media.count() == 1
    assert_fits_a_thumb(page)
    shoot(page, screenshot_dir, f"report-done-{size}")

    response = page.goto(live_server.url + someone_elses.get_absolute_url())
    assert response.status == 404
    assert page.get_by_role("heading", name="Page introuvable").is_visible()
    assert "Ticket du superviseur" not in page.content()
    shoot(page, screenshot_dir, f"not-yours-{size}")
    assert [e for e in page.errors if "404" not in e] == []


def test_a_technician_without_javascript_still_moves_and_comments(open_page, live_server, technician, make_ticket):
    ticket = make_ticket(assigned_to=technician)
    page = open_page(PHONE, javascript=False)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    page.get_by_role("button", name="Diagnostic", exact=True).click()
    page.get_by_text("Statut changé : Diagnostic.").wait_for()
    page.get_by_label("Votre commentaire").fill("Sans JavaScript")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.get_by_text("Commentaire ajouté.").wait_for()
    settled(page)
    ticket.refresh_from_db()
    assert ticket.status == S.DIAGNOSTIC
    assert ticket.comments.get().body == "Sans JavaScript"


def test_a_supervisor_assigns_the_team_and_schedules_on_a_desktop(
        open_page, live_server, supervisor, technician, make_ticket, screenshot_dir):
    from notifications.models import WebhookNotification

    ticket = make_ticket(title="Remplacer les meules usées")
    # Two attempts of one alert: a refused one, then its successful retry.
    for attempt, status, ok, error in [(1, 500, False, "Code HTTP 500 reçu"), (2, 200, True, "")]:
        WebhookNotification.objects.create(
            ticket=ticket, notification_type="overdue_scheduled", webhook_url="http://127.0.0.1:9/hook",
            attempt=attempt, response_status=status, succeeded=ok, error=error)
    page = open_page(DESKTOP)
    sign_in(page, live_server, supervisor.email)
    page.goto(live_server.url + ticket.get_absolute_url())
    page.get_by_label("Assigner à").select_option(label="Équipe complète")
    page.get_by_role("button", name="Assigner", exact=True).click()
    page.get_by_text("Ticket assigné à Équipe complète.").wait_for()
    settled(page)
    page.get_by_label("Date planifiée").fill("2031-01-15T08:30")
    page.get_by_role("button", name="Planifier", exact=True).click()
    page.locator(".msg-success", has_text="Planifié le").wait_for()
    settled(page)
    assert "ASSIGNÉ · Équipe complète" in page.locator(".banners").inner_text()
    assert "PLANIFIÉ · mercredi 15 janvier 2031, 08:30" in page.locator(".banners").inner_text()
    assert page.get_by_role("heading", name="Alertes de retard envoyées").is_visible()
    assert_fits_a_thumb(page)
    assert "Code HTTP 500 reçu" in page.content()
    shoot(page, screenshot_dir, "ticket-supervisor-desktop", full_page=True)
    ticket.refresh_from_db()
    assert ticket.assigned_to_team
    assert timezone.localtime(ticket.scheduled_date).strftime("%Y-%m-%d %H:%M") == "2031-01-15 08:30"
    assert page.errors == []


def test_the_board_filters_apply_as_soon_as_a_list_changes(open_page, live_server, technician, make_ticket):
    make_ticket(title="Bruit anormal au démarrage", priority=Ticket.Priority.CRITICAL)
    make_ticket(title="Nettoyage des buses", priority=Ticket.Priority.LOW)
    page = open_page(DESKTOP)
    sign_in(page, live_server, technician.email)
    page.get_by_label("Priorité").select_option("critical")
    page.wait_for_url("**/?*priorite=critical*")
    page.locator(".card", has_text="Nettoyage des buses").wait_for(state="detached")
    assert page.locator(".card").count() == 1
    page.get_by_role("link", name="Les miens").click()
    page.wait_for_url("**vue=mine*")
    assert page.locator(".card").count() == 0
    assert page.errors == []
