"""What the issue's "Measured" part promises, pinned: bench/pages.py prints the same figures on a bigger base."""
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.conftest import png_bytes
from tests.web.test_board import _bulk_open_tickets
from tickets.models import Media, Ticket
from tickets.services import media_make_thumbnail

pytestmark = pytest.mark.django_db
BOARD = reverse("web:board")


def queries_of(client, url, **params):
    """Queries of a board view whose filters are already remembered: the first view with new
    filters also saves them in the session (one write, whatever the number of tickets)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_the_board_makes_the_same_number_of_queries_for_50_or_2000_open_tickets(
        signed_in, technician, machine, supervisor):
    client = signed_in(technician)
    _bulk_open_tickets(50, machine, supervisor, technician)
    few = queries_of(client, BOARD), queries_of(client, BOARD, q="vrac 12")
    Ticket.objects.all().delete()
    _bulk_open_tickets(2000, machine, supervisor, technician)
    many = queries_of(client, BOARD), queries_of(client, BOARD, q="vrac 12")
    # 8 with the poll's version (board_version) and the bell's unread count in the header (notifications.bell):
    # the permissions come in one query (accounts/backends.py).
    assert many == few and max(many) <= 8, (few, many)


@pytest.mark.parametrize("who", ["supervisor", "technician"])
def test_the_page_of_a_ticket_with_20_photos_makes_at_most_10_queries(
        request, signed_in, who, technician, make_ticket):
    ticket = make_ticket(title="Vingt photos", assigned_to=technician)
    for n in range(20):
        media = Media(ticket=ticket, original_name=f"photo-{n}.png", content_type="image/png",
                      kind=Media.Kind.PHOTO, uploaded_by=technician, size=100)
        media.file.save(f"photo-{n}.png", ContentFile(png_bytes()), save=True)
        media_make_thumbnail(media)
    client = signed_in(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(ticket.get_absolute_url()).content.decode()
    assert page.count("photo-") >= 20
    assert page.count('/miniature/" alt="Photo photo-') == 20  # The thumbnails come with the media query.
    assert len(queries) <= 10, [q["sql"][:300] for q in queries.captured_queries]
