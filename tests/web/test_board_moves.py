"""Issue 11 item 9, the server's side: the board's drag and drop asks the ticket's move address for JSON.

The script (static/js/board-moves.js) is tested in Chromium by test_browser_dragdrop.py; here, what it
reads: the settings on the board (who gets them, which columns a card may go to) and the JSON verdicts
of `web:ticket-move`, while the ticket page's form keeps its redirect.
"""
import json
import re

import pytest
from django.urls import reverse

from tickets.models import Ticket, TimelineEntry
from web import selectors

pytestmark = pytest.mark.django_db
S = Ticket.Status
BOARD = reverse("web:board")
JSON = {"HTTP_ACCEPT": "application/json"}


def move_url(ticket):
    return reverse("web:ticket-move", kwargs={"ticket_id": ticket.ticket_id})


def board_settings(page):
    found = re.search(r'<script id="board-moves-settings" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)) if found else None


def test_a_drop_the_workflow_allows_moves_the_ticket_answers_json_and_writes_the_history(
        signed_in, technician, make_ticket):
    ticket = make_ticket()
    before = selectors.board_version(Ticket.objects.all(), now=ticket.created_at)

    response = signed_in(technician).post(move_url(ticket), {"status": "diagnostic", "from_status": "received"},
                                          **JSON)

    assert response.status_code == 200
    assert response.json() == {"status": "diagnostic", "label": "Diagnostic",
                               "message": f"Ticket {ticket.ticket_id} déplacé vers « Diagnostic »."}
    ticket.refresh_from_db()
    assert ticket.status == S.DIAGNOSTIC
    line = ticket.timeline.get(action=TimelineEntry.Action.STATUS_CHANGED)
    assert (line.old_value, line.new_value, line.actor) == ("received", "diagnostic", technician)
    # A colleague's board sees another version at its next poll.
    assert selectors.board_version(Ticket.objects.all(), now=ticket.created_at) != before


def test_a_move_the_workflow_forbids_is_a_400_with_the_french_sentence_and_changes_nothing(
        signed_in, technician, make_ticket):
    ticket = make_ticket()
    response = signed_in(technician).post(move_url(ticket), {"status": "completed", "from_status": "received"},
                                          **JSON)
    assert response.status_code == 400
    assert response.json() == {"message": "Passage de « Reçu » à « Terminé » non permis."}
    ticket.refresh_from_db()
    assert ticket.status == S.RECEIVED
    assert not ticket.timeline.filter(action=TimelineEntry.Action.STATUS_CHANGED).exists()


def test_an_operator_is_refused_with_a_403_and_the_sentence_of_the_ticket_page(signed_in, operator, make_ticket):
    mine = make_ticket(reporter=operator)
    response = signed_in(operator).post(move_url(mine), {"status": "diagnostic"}, **JSON)
    assert response.status_code == 403
    assert response.json() == {"message": "Vous n'avez pas le droit de changer le statut de ce ticket."}
    mine.refresh_from_db()
    assert mine.status == S.RECEIVED


def test_a_ticket_a_colleague_moved_first_is_a_409_and_stays_where_he_put_it(
        signed_in, technician, make_ticket):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=S.DIAGNOSTIC)  # Pierre was quicker
    response = signed_in(technician).post(move_url(ticket), {"status": "in_progress", "from_status": "received"},
                                          **JSON)
    assert response.status_code == 409
    assert "vient d'être modifié par quelqu'un d'autre" in response.json()["message"]
    ticket.refresh_from_db()
    assert ticket.status == S.DIAGNOSTIC


def test_someone_elses_ticket_is_a_json_404_that_reveals_nothing(signed_in, operator, operator2, make_ticket):
    theirs = make_ticket(reporter=operator2)
    response = signed_in(operator).post(move_url(theirs), {"status": "diagnostic"}, **JSON)
    assert response.status_code == 404
    assert response.json() == {"message": "Ce ticket n'existe pas, ou vous n'y avez pas accès."}


def test_the_refusal_speaks_english_to_someone_who_chose_english(signed_in, technician, make_ticket):
    technician.language = "en"
    technician.save(update_fields=["language"])
    ticket = make_ticket()
    response = signed_in(technician).post(move_url(ticket), {"status": "completed", "from_status": "received"},
                                          **JSON)
    assert response.status_code == 400
    assert response.json()["message"] == "Moving from “Received” to “Completed” is not allowed."


def test_the_ticket_pages_form_still_redirects_with_its_message(signed_in, technician, make_ticket):
    ticket = make_ticket()
    client = signed_in(technician)
    response = client.post(move_url(ticket), {"status": "diagnostic", "from_status": "received"})
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert "Statut changé : Diagnostic." in client.get(ticket.get_absolute_url()).content.decode()
    # htmx asks for HTML first: the same redirect.
    htmx = client.post(move_url(ticket), {"status": "in_progress", "from_status": "diagnostic"},
                       HTTP_ACCEPT="text/html, */*", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 302


def test_those_who_may_move_get_the_board_settings_with_the_workflows_columns(signed_in, technician, make_ticket):
    make_ticket()
    page = signed_in(technician).get(BOARD).content.decode()
    settings = board_settings(page)
    assert settings["moves"] == {
        "received": ["diagnostic", "in_progress", "waiting_parts"],
        "diagnostic": ["received", "in_progress", "waiting_parts", "completed"],
        "in_progress": ["diagnostic", "waiting_parts", "completed"],
        "waiting_parts": ["diagnostic", "in_progress"],
        "completed": ["in_progress"],  # "Archivé" is no column of the board
    }
    assert settings["labels"]["waiting_parts"] == "En attente de pièces"
    assert settings["text"]["button"] == "Déplacer vers…"
    assert "/static/vendor/sortablejs/Sortable.min.js" in page and "/static/js/board-moves.js" in page
    # Every column has its list, empty or not, so a card can be dropped there.
    assert page.count('<ul class="cards" data-status=') == 5


def test_an_operator_gets_no_drag_and_drop_at_all(signed_in, operator, make_ticket):
    make_ticket(reporter=operator)
    page = signed_in(operator).get(BOARD).content.decode()
    assert board_settings(page) is None
    assert "Sortable.min.js" not in page and "js/board-moves.js" not in page
    assert page.count('<ul class="cards" data-status=') == 1  # only the column that has his ticket


def test_a_column_shown_alone_offers_no_drag_and_drop(signed_in, technician, make_ticket):
    make_ticket()
    page = signed_in(technician).get(BOARD, {"colonne": "received"}).content.decode()
    assert board_settings(page) is None and "Sortable.min.js" not in page


def test_the_board_settings_speak_english_to_someone_who_chose_english(signed_in, technician, make_ticket):
    technician.language = "en"
    technician.save(update_fields=["language"])
    make_ticket()
    settings = board_settings(signed_in(technician).get(BOARD).content.decode())
    assert settings["labels"]["received"] == "Received"
    assert settings["text"]["button"] == "Move to…"
    assert settings["text"]["forbidden"] == "Moving from “%(old)s” to “%(new)s” is not allowed."
    assert all(not any(c in v for c in "éèàç«") for v in settings["text"].values()), settings["text"]
