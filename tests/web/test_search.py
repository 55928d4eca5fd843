"""The board's search box finds words anywhere on a ticket, in a fixed number of queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.models import Comment

pytestmark = pytest.mark.django_db
BOARD = reverse("web:board")


@pytest.fixture
def tickets(make_ticket, machine2, technician):
    leak = make_ticket(title="Fuite sur le vérin", description="Huile hydraulique sous la presse.")
    nozzles = make_ticket(title="Buses encrassées", machine=machine2)
    Comment.objects.create(ticket=nozzles, author=technician, body="Remplacé le roulement du moteur.")
    return leak, nozzles


def test_the_board_search_finds_words_of_the_description_the_comments_and_the_machine(
        signed_in, technician, tickets):
    client = signed_in(technician)
    for text, title in (("hydraulique", "Fuite sur le vérin"), ("roulement moteur", "Buses encrassées"),
                        ("découpe", "Buses encrassées")):
        page = client.get(BOARD, {"q": text}).content.decode()
        others = {"Fuite sur le vérin", "Buses encrassées"} - {title}
        assert title in page and not any(o in page for o in others), text


def test_a_search_of_several_words_costs_the_board_no_extra_query(signed_in, technician, tickets):
    client = signed_in(technician)
    search = {"q": "fuite huile hydraulique presse"}
    # Each view is counted once its filters are remembered: the first view with new filters
    # also saves them in the session (one write, search or not).
    client.get(BOARD)
    with CaptureQueriesContext(connection) as plain:
        client.get(BOARD)
    client.get(BOARD, search)
    with CaptureQueriesContext(connection) as searched:
        response = client.get(BOARD, search)
    assert "Fuite sur le vérin" in response.content.decode()
    assert len(searched) == len(plain) <= 9, [q["sql"][:80] for q in searched.captured_queries]
