"""Issue 11 item 12: an open board keeps itself current. Its live part asks every BOARD_POLL_SECONDS,
sending the version it shows; nothing changed → an empty 204 in one small query, else that part again."""
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import NOW
from tests.web.test_board import _bulk_open_tickets
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BOARD = reverse("web:board")
S = Ticket.Status


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def live_headers(page):
    """The headers the page's live part sends with its poll (hx-headers), as the test client's keywords."""
    headers = json.loads(re.search(r"""data-board-poll hx-headers='([^']*)'""", page, re.S).group(1))
    return {"headers": headers}


def poll(client, page, url=BOARD, **params):
    return client.get(url, params, **live_headers(page))


def test_a_poll_with_nothing_changed_is_an_empty_204_in_a_few_queries_whatever_the_number_of_tickets(
        signed_in, technician, supervisor, machine, clock):
    client = signed_in(technician)
    counts = []
    for n in (10, 500):
        _bulk_open_tickets(n, machine, supervisor, technician)
        page = client.get(BOARD).content.decode()
        with CaptureQueriesContext(connection) as queries:
            response = poll(client, page)
        assert response.status_code == 204 and response.content == b""
        counts.append(len(queries))
        Ticket.objects.all().delete()
    # The session, the person, his permissions (his own and his role's in one query: accounts/backends.py),
    # one aggregate: the version, and one for the bell's part of the version (his unread notifications:
    # notifications.bell.bell_state).
    assert counts[0] == counts[1] <= 5, counts


def test_the_page_polls_its_own_address_with_its_filters_every_board_poll_seconds(
        signed_in, technician, settings, make_ticket):
    settings.BOARD_POLL_SECONDS = 7
    make_ticket(assigned_to=technician)
    page = signed_in(technician).get(BOARD, {"priorite": "high"}).content.decode()
    live = re.search(r'<span hidden data-board-poll[^>]*>', page, re.S).group(0)
    assert 'hx-trigger="every 7s, board-refresh"' in live  # and at once after a card is moved (board-moves.js)
    # The cards' boosted links must not inherit the poll's headers, target or swap (they would get a fragment).
    assert re.search(r'<div id="board-live">', page)
    assert f'hx-get="{BOARD}?priorite=high"' in live
    assert 'role="status"' in page and 'id="board-toast"' in page


def test_a_status_moved_by_a_colleague_comes_back_in_the_poll(signed_in, technician, supervisor, make_ticket,
                                                              clock):
    ticket = make_ticket(title="Presse bloquée", assigned_to=technician)
    client = signed_in(technician)
    page = client.get(BOARD).content.decode()
    clock.shift(timedelta(seconds=20))
    services.ticket_move(ticket=ticket, to_status=S.DIAGNOSTIC, by=supervisor)

    response = poll(client, page)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="board-live"')
    assert "<html" not in fragment and "Filtres et recherche" not in fragment
    diagnostic = re.search(r'<section class="col" id="col-diagnostic".*?</section>', fragment, re.S).group(0)
    assert "Presse bloquée" in diagnostic
    assert "Nouveau ticket assigné" not in fragment  # it was already his
    assert response["Cache-Control"].startswith("max-age=0") and "X-Board-Version" in response["Vary"]
    # The new part carries the new version: the next poll is empty again.
    assert poll(client, fragment).status_code == 204


def test_a_ticket_assigned_to_me_appears_with_a_quiet_toast(signed_in, technician, supervisor, make_ticket, clock):
    ticket = make_ticket(title="Fuite au convoyeur")
    client = signed_in(technician)
    page = client.get(BOARD).content.decode()
    assert "ASSIGNÉ" not in page
    clock.shift(timedelta(seconds=20))
    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)

    fragment = poll(client, page).content.decode()
    assert "Fuite au convoyeur" in fragment and "ASSIGNÉ" in fragment
    toast = re.search(r'<div id="board-toast" hx-swap-oob="innerHTML">.*?</div>', fragment, re.S).group(0)
    assert f"Nouveau ticket assigné : {ticket.ticket_id} · Fuite au convoyeur" in toast
    assert ticket.get_absolute_url().replace(" ", "%20") in toast


def test_a_ticket_given_to_the_whole_team_appears_without_the_personal_toast(
        signed_in, supervisor, make_ticket, clock):
    ticket = make_ticket(title="Pour l'équipe")
    client = signed_in(supervisor)
    page = client.get(BOARD, {"vue": "mine"}).content.decode()
    clock.shift(timedelta(seconds=20))
    services.ticket_assign(ticket=ticket, by=supervisor, team=True)
    fragment = poll(client, page, vue="mine").content.decode()
    assert "Pour l&#x27;équipe" in fragment and 'id="board-toast"' not in fragment


def test_a_ticket_that_becomes_overdue_with_time_alone_brings_its_banner(signed_in, technician, make_ticket,
                                                                         clock):
    make_ticket(title="Graissage", assigned_to=technician, scheduled_date=NOW + timedelta(minutes=5))
    client = signed_in(technician)
    page = client.get(BOARD).content.decode()
    assert "EN RETARD" not in page
    clock.shift(timedelta(minutes=2))
    assert poll(client, page).status_code == 204  # not yet: nothing to redraw
    clock.shift(timedelta(minutes=4))  # no row changed, but the schedule has passed
    response = poll(client, page)
    assert response.status_code == 200 and "EN RETARD" in response.content.decode()


def test_a_poll_with_a_forged_drawn_at_still_answers_without_a_toast(signed_in, technician, supervisor,
                                                                     make_ticket, clock):
    ticket = make_ticket()
    client = signed_in(technician)
    clock.shift(timedelta(seconds=20))
    services.ticket_assign(ticket=ticket, by=supervisor, technician=technician)
    for drawn_at in ("pas une date", "2025-11-12T09:00:00"):
        response = client.get(BOARD, headers={"X-Board-Version": "ancienne", "X-Board-Drawn-At": drawn_at})
        assert response.status_code == 200 and 'id="board-toast"' not in response.content.decode()


def test_a_poll_does_not_change_the_filters_the_board_remembers(signed_in, technician, make_ticket):
    client = signed_in(technician)
    page = client.get(BOARD, {"priorite": "high"}).content.decode()
    client.get(BOARD, {"priorite": "low"}, headers={"X-Board-Version": "ancienne"})
    assert client.session["board_query"] == "priorite=high"
    assert page
