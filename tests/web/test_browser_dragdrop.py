"""Issue 11 item 9 in a real Chromium: a card moves to another column by drag and drop (mouse), by a long
press then a drag (touch, phone), and by the keyboard ("Déplacer vers…" menu); forbidden drops and
refusals spring back with a message; an operator gets none of it; no CSP violation.

SortableJS runs in its fallback mode (mouse and touch events, not the browser's native drag and drop),
so Playwright's mouse and CDP's Input.dispatchTouchEvent drive it as a hand would.
"""
# ruff: noqa: F811
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tickets.models import Ticket, TimelineEntry

from .conftest import DESKTOP, PHONE
from .test_browser import open_page, settled, shoot, sign_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status
# Every CSP violation of the page, whatever the console says.
WATCH_CSP = """window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
  e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def board_page(open_page, live_server, user, viewport, **context):
    page = open_page(viewport, **context)
    page.add_init_script(WATCH_CSP)
    sign_in(page, live_server, user.email)
    page.locator("#board-live .card .move-btn").first.wait_for()  # board-moves.js has set the cards up
    return page


def no_csp_violation(page):
    assert page.evaluate("window.cspViolations") == []


def centre(locator):
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def mouse_drag(page, card, column, *, release=True):
    """Press on the card's title, move to the middle of the column in small steps (as a hand does)."""
    x, y = centre(card.locator(".ttl"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=3)
    tx, ty = centre(column.locator("h2"))
    page.mouse.move(tx, ty + 60, steps=12)
    if release:
        page.mouse.up()


def status_of(ticket):
    ticket.refresh_from_db()
    return ticket.status


def test_on_a_desktop_a_card_dragged_to_an_allowed_column_is_there_after_a_reload_with_its_history_line(
        open_page, live_server, technician, make_ticket, screenshot_dir):
    ticket = make_ticket(title="Courroie qui glisse")
    make_ticket(title="Autre ticket en diagnostic", status=S.DIAGNOSTIC)
    page = board_page(open_page, live_server, technician, DESKTOP)
    card = page.locator("#col-received .card", has_text="Courroie qui glisse")

    mouse_drag(page, card, page.locator("#col-diagnostic"), release=False)
    # Lifted: the copy under the pointer, the allowed columns outlined, the one under the pointer lit.
    assert page.locator(".card.is-lifted").is_visible()
    assert page.locator("#col-diagnostic.drop-over").count() == 1
    assert page.locator("#col-completed.drop-forbidden").count() == 1  # Reçu → Terminé is not a step
    shoot(page, screenshot_dir, "board-drag-lifted-desktop")
    page.mouse.up()

    page.get_by_role("status").filter(has_text=f"Ticket {ticket.ticket_id} déplacé vers « Diagnostic ».").wait_for()
    assert page.locator("#col-diagnostic .card", has_text="Courroie qui glisse").is_visible()  # at once
    assert status_of(ticket) == S.DIAGNOSTIC
    line = ticket.timeline.get(action=TimelineEntry.Action.STATUS_CHANGED)
    assert (line.old_value, line.new_value, line.actor) == ("received", "diagnostic", technician)
    # The board asked for its live part at once: the count of the column is the server's.
    page.locator("#h-diagnostic .count", has_text="2").wait_for()
    assert page.locator("#col-received .card").count() == 0

    page.reload()
    assert page.locator("#col-diagnostic .card", has_text="Courroie qui glisse").is_visible()
    assert page.url == live_server.url + reverse("web:board")  # no navigation to the ticket on release
    assert page.errors == []
    no_csp_violation(page)


def test_on_a_desktop_a_forbidden_drop_springs_back_with_the_message_and_changes_nothing(
        open_page, live_server, technician, make_ticket, screenshot_dir):
    ticket = make_ticket(title="Buse bouchée")
    page = board_page(open_page, live_server, technician, DESKTOP)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    card = page.locator("#col-received .card", has_text="Buse bouchée")

    mouse_drag(page, card, page.locator("#col-completed"), release=False)
    assert page.locator("#col-completed.drop-over").count() == 0  # never lit: the drop is not allowed
    page.mouse.up()

    alert = page.get_by_role("alert").filter(has_text="Passage de « Reçu » à « Terminé » non permis.")
    alert.wait_for()
    assert page.locator("#col-received .card", has_text="Buse bouchée").is_visible()  # sprang back
    assert page.locator("#col-completed .card").count() == 0
    shoot(page, screenshot_dir, "board-drop-refused-desktop")
    assert posts == []  # judged in the browser by the same rule; nothing sent
    assert status_of(ticket) == S.RECEIVED
    assert not ticket.timeline.filter(action=TimelineEntry.Action.STATUS_CHANGED).exists()
    alert.get_by_role("button", name="Fermer").click()
    assert page.locator("#move-alert").inner_text() == ""
    assert page.errors == []
    no_csp_violation(page)


def touch(page, kind, x=0, y=0):
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    page.context.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def long_press_to_bar(page, card, status):
    """Press the card's title ~600 ms, slide the finger a little (the bar of columns appears), then onto
    the bar's target for `status`; the finger stays down. Returns the target and where the finger is."""
    x, y = centre(card.locator(".ttl"))
    touch(page, "touchStart", x, y)
    page.wait_for_timeout(150)
    assert page.locator(".card.is-chosen").count() == 0  # a short touch is a tap or a scroll
    page.wait_for_timeout(450)  # ~400 ms: lifted
    assert page.locator(".card.is-chosen").count() == 1
    for step in range(1, 6):
        touch(page, "touchMove", x, y + step * 8)
        page.wait_for_timeout(30)
    target = page.locator(f"#drop-bar [data-drop-status={status}]")
    target.wait_for()
    tx, ty = centre(target)
    for step in range(1, 11):
        touch(page, "touchMove", x + (tx - x) * step / 10, y + 40 + (ty - y - 40) * step / 10)
        page.wait_for_timeout(30)
    return target


def test_on_a_phone_a_long_press_lifts_the_card_and_the_bar_of_columns_takes_the_drop(
        open_page, live_server, technician, make_ticket, screenshot_dir):
    ticket = make_ticket(title="Capteur de niveau")
    page = board_page(open_page, live_server, technician, PHONE, has_touch=True, is_mobile=True)
    page.context.cdp = page.context.new_cdp_session(page)
    card = page.locator("#col-received .card", has_text="Capteur de niveau")

    # Reçu → Terminé is not a step: the target says so, never lights up, and the card springs back.
    target = long_press_to_bar(page, card, "completed")
    assert "non permis" in target.inner_text()
    assert "drop-over" not in target.get_attribute("class")
    touch(page, "touchEnd")
    alert = page.get_by_role("alert").filter(has_text="Passage de « Reçu » à « Terminé » non permis.")
    alert.wait_for()
    assert page.locator("#drop-bar").count() == 0
    assert page.locator("#col-received .card", has_text="Capteur de niveau").is_visible()
    shoot(page, screenshot_dir, "board-drop-refused-phone")
    assert status_of(ticket) == S.RECEIVED
    alert.get_by_role("button", name="Fermer").tap()  # the first tap after a drag is not swallowed
    assert page.locator("#move-alert").inner_text() == ""

    target = long_press_to_bar(page, card, "in_progress")
    assert "drop-over" in target.get_attribute("class")
    shoot(page, screenshot_dir, "board-drag-lifted-phone")
    touch(page, "touchEnd")

    page.get_by_role("status").filter(has_text="déplacé vers « En cours »").wait_for()
    assert page.locator("#drop-bar").count() == 0
    page.locator("#col-in_progress .card", has_text="Capteur de niveau").wait_for()
    assert status_of(ticket) == S.IN_PROGRESS
    assert page.url == live_server.url + reverse("web:board")  # the long press opened nothing
    assert page.errors == []
    no_csp_violation(page)


def test_on_a_phone_a_quick_swipe_over_the_cards_scrolls_and_lifts_nothing(
        open_page, live_server, technician, make_ticket):
    for n in range(8):
        make_ticket(title=f"Ticket à faire défiler {n}")
    page = board_page(open_page, live_server, technician, PHONE, has_touch=True, is_mobile=True)
    page.context.cdp = page.context.new_cdp_session(page)
    x, y = centre(page.locator("#col-received .card").nth(2).locator(".ttl"))
    touch(page, "touchStart", x, y)
    for step in range(1, 11):
        touch(page, "touchMove", x, y - step * 25)
        page.wait_for_timeout(16)
    touch(page, "touchEnd")
    page.wait_for_timeout(600)
    assert page.evaluate("window.scrollY") > 100
    assert page.locator(".card.is-chosen, #drop-bar").count() == 0
    assert Ticket.objects.filter(status=S.RECEIVED).count() == 8


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_with_the_keyboard_alone_tab_to_the_card_choose_a_column_and_hear_it_moved(
        open_page, live_server, technician, make_ticket, viewport, screenshot_dir):
    ticket = make_ticket(title="Moteur qui chauffe")
    page = board_page(open_page, live_server, technician, viewport)
    button = page.get_by_role("button", name=f"Déplacer le ticket {ticket.ticket_id} vers une autre colonne")
    for _press in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the card's « Déplacer vers… » button is not reachable with Tab")

    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name=f"Déplacer le ticket {ticket.ticket_id} vers")
    assert [i.strip() for i in menu.get_by_role("menuitem").all_inner_texts()] == [
        "Diagnostic", "En cours", "En attente de pièces", "Annuler"]  # only the moves the workflow allows
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")  # changed my mind
    assert menu.count() == 0 and button.evaluate("b => b === document.activeElement")

    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "En attente de pièces"
    shoot(page, screenshot_dir, f"board-move-menu-{'phone' if viewport == PHONE else 'desktop'}")
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(
        has_text=f"Ticket {ticket.ticket_id} déplacé vers « En attente de pièces ».").wait_for()
    page.locator("#col-waiting_parts .card", has_text="Moteur qui chauffe").wait_for()
    page.locator("#h-waiting_parts .count", has_text="1").wait_for()
    # The focus follows the card to its new column, ready for the next move.
    page.wait_for_function(
        "() => document.activeElement.matches('#col-waiting_parts .move-btn')")
    assert status_of(ticket) == S.WAITING_PARTS
    assert page.errors == []
    no_csp_violation(page)


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_a_drop_that_cannot_reach_the_server_springs_back_says_so_and_retry_moves_it(
        open_page, live_server, technician, make_ticket, screenshot_dir, viewport):
    ticket = make_ticket(title="Joint qui fuit")
    page = board_page(open_page, live_server, technician, viewport)
    page.route("**/statut/", lambda route: route.abort())  # the network is gone
    card = page.locator("#col-received .card", has_text="Joint qui fuit")
    if viewport == DESKTOP:
        mouse_drag(page, card, page.locator("#col-diagnostic"))
    else:
        card.locator(".move-btn").click()
        page.get_by_role("menuitem", name="Diagnostic").click()

    alert = page.get_by_role("alert").filter(has_text=f"Pas de connexion : le ticket {ticket.ticket_id} n'a pas "
                                                      "été déplacé. Réessayez quand le réseau revient.")
    alert.wait_for()
    page.locator("#col-received .card", has_text="Joint qui fuit").wait_for()  # sprang back
    assert page.locator("#col-diagnostic .card").count() == 0
    shoot(page, screenshot_dir, f"board-drop-offline-{'phone' if viewport == PHONE else 'desktop'}")
    assert status_of(ticket) == S.RECEIVED

    page.unroute("**/statut/")
    alert.get_by_role("button", name="Réessayer").click()
    page.get_by_role("status").filter(has_text="déplacé vers « Diagnostic »").wait_for()
    page.locator("#col-diagnostic .card", has_text="Joint qui fuit").wait_for()
    assert status_of(ticket) == S.DIAGNOSTIC
    assert [e for e in page.errors if "ERR_FAILED" not in e] == []  # the aborted request's own line
    no_csp_violation(page)


def test_a_ticket_a_colleague_moved_meanwhile_springs_back_with_the_servers_message_and_the_board_catches_up(
        open_page, live_server, technician, supervisor, make_ticket):
    from tickets import services

    ticket = make_ticket(title="Vérin lent")
    page = board_page(open_page, live_server, technician, DESKTOP)
    services.ticket_move(ticket=ticket, to_status=S.WAITING_PARTS, by=supervisor)  # elsewhere, just now

    mouse_drag(page, page.locator("#col-received .card", has_text="Vérin lent"), page.locator("#col-diagnostic"))

    page.get_by_role("alert").filter(has_text="vient d'être modifié par quelqu'un d'autre").wait_for()
    # The board asked the server at once: the card is where the colleague put it.
    page.locator("#col-waiting_parts .card", has_text="Vérin lent").wait_for()
    assert page.locator("#col-diagnostic .card").count() == 0
    assert status_of(ticket) == S.WAITING_PARTS
    assert [e for e in page.errors if "409" not in e] == []


def test_a_poll_that_left_before_the_move_does_not_put_the_card_back(
        open_page, live_server, technician, supervisor, make_ticket, settings):
    from tickets import services

    settings.BOARD_POLL_SECONDS = 1
    ticket = make_ticket(title="Pompe bruyante")
    other = make_ticket(title="Ticket d'un collègue", status=S.DIAGNOSTIC)
    page = board_page(open_page, live_server, technician, DESKTOP)
    # A colleague's change: the next poll brings a whole board, drawn before our move.
    services.ticket_move(ticket=other, to_status=S.IN_PROGRESS, by=supervisor)
    held = []

    def hold_one_poll(route):
        if route.request.headers.get("x-board-version") and not held:
            held.append((route, route.fetch()))  # the board as the server draws it now: before the move
        else:
            route.continue_()

    page.route(lambda url: urlsplit(url).path == "/", hold_one_poll)
    for _tick in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no poll left the page"

    page.locator("#col-received .card", has_text="Pompe bruyante").locator(".move-btn").click()
    page.get_by_role("menuitem", name="Diagnostic").click()
    page.get_by_role("status").filter(has_text="déplacé vers « Diagnostic »").wait_for()
    page.evaluate("""() => new MutationObserver(() => {
        if (document.querySelector('#col-received .card')) window.cardWentBack = true;
    }).observe(document.body, {childList: true, subtree: true})""")
    route, stale = held[0]
    route.fulfill(response=stale)  # the old board arrives after the move...
    page.wait_for_timeout(1500)
    assert page.evaluate("window.cardWentBack") is None  # ...and is never shown, not even for a moment
    assert page.locator("#col-diagnostic .card", has_text="Pompe bruyante").is_visible()
    page.locator("#col-in_progress .card", has_text="Ticket d'un collègue").wait_for()  # the colleague's change too
    page.locator("#h-diagnostic .count", has_text="1").wait_for()  # the board asked again and caught up
    assert page.locator("#col-received .card").count() == 0
    assert status_of(ticket) == S.DIAGNOSTIC
    assert page.errors == []


def test_back_on_the_board_from_a_ticket_without_a_reload_the_cards_still_move(
        open_page, live_server, technician, make_ticket):
    ticket = make_ticket(title="Rouleau voilé")
    page = open_page(DESKTOP)
    page.add_init_script(WATCH_CSP)
    sign_in(page, live_server, technician.email)
    page.goto(live_server.url + ticket.get_absolute_url())  # a page without the board's scripts
    page.evaluate("window.stillTheSamePage = true")
    for _visit in range(2):  # the second time, the scripts are already there: set up once, not twice
        page.get_by_role("link", name="← Retour au tableau").click()
        settled(page)
        page.locator("#board-live .card .move-btn").first.wait_for()
        assert page.locator(".card", has_text="Rouleau voilé").locator(".move-btn").count() == 1
        page.locator(".card-link", has_text="Rouleau voilé").click()
        page.wait_for_selector(".ticket-head")
        settled(page)
    page.get_by_role("link", name="← Retour au tableau").click()
    settled(page)
    mouse_drag(page, page.locator("#col-received .card", has_text="Rouleau voilé"), page.locator("#col-diagnostic"))
    page.get_by_role("status").filter(has_text="déplacé vers « Diagnostic »").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the pages in place
    assert status_of(ticket) == S.DIAGNOSTIC
    assert ticket.timeline.filter(action=TimelineEntry.Action.STATUS_CHANGED).count() == 1  # one move, one line
    assert page.errors == []
    no_csp_violation(page)


def test_signed_out_meanwhile_a_drop_leads_to_the_sign_in_page_and_moves_nothing(
        open_page, live_server, technician, make_ticket):
    ticket = make_ticket(title="Vanne grippée")
    page = board_page(open_page, live_server, technician, DESKTOP)
    page.context.clear_cookies(name="sessionid")  # signed out elsewhere, or the session expired
    answers = []
    page.on("response", lambda r: answers.append(r.status) if r.request.method == "POST" else None)
    mouse_drag(page, page.locator("#col-received .card", has_text="Vanne grippée"), page.locator("#col-diagnostic"))
    page.wait_for_url("**/connexion/**")
    assert answers == [302]  # the move was sent, and sent to the sign-in page
    assert status_of(ticket) == S.RECEIVED


def test_an_operator_gets_no_drag_handle_and_no_move_button(open_page, live_server, operator, make_ticket):
    make_ticket(title="Lumière qui clignote", reporter=operator)
    page = open_page(PHONE)
    page.add_init_script(WATCH_CSP)
    sign_in(page, live_server, operator.email)
    card = page.locator(".card", has_text="Lumière qui clignote")
    card.wait_for()
    assert page.evaluate("typeof window.Sortable") == "undefined"
    assert card.locator(".move-btn").count() == 0
    assert "movable" not in card.get_attribute("class")
    assert page.get_by_role("button", name="Déplacer").count() == 0
    assert page.errors == []
    no_csp_violation(page)
