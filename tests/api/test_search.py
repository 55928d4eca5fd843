"""The API's ?search= finds what the board's search box finds (Ticket.objects.search)."""
import pytest

from tickets.models import Comment

pytestmark = pytest.mark.django_db


def test_the_api_search_finds_words_of_comments_and_machine_like_the_board(
        client_for, supervisor, technician, make_ticket, machine2):
    make_ticket(title="Fuite sur le vérin")
    nozzles = make_ticket(title="Buses encrassées", machine=machine2)
    Comment.objects.create(ticket=nozzles, author=technician, body="Remplacé le roulement du moteur.")
    client = client_for(supervisor)
    for text in ("roulement", "découpe roulement", "WJ-1"):
        rows = client.get("/api/tickets", {"search": text}).json()["results"]
        assert [r["title"] for r in rows] == ["Buses encrassées"], text
