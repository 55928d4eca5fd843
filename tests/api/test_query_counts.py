"""Every list costs the same number of SQL queries for 2 rows or 50.

Pinned numbers include the request's own overhead: loading the user named by
the token, and his permissions (one query: his own and his role's, accounts/backends.py); then
the ticket for nested lists, the page count, and the page itself.
"""
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.api.conftest import ticket_url
from tests.api.test_role_matrix import PNG
from tests.conftest import make_user
from tickets import services
from tickets.models import Machine, Media, Ticket


def fill(make_ticket, technician, count):
    tickets = [make_ticket(assigned_to=technician if n % 2 else None, assigned_to_team=not n % 2)
               for n in range(count)]
    ticket = tickets[0]
    for n in range(count):
        services.comment_add(ticket=ticket, author=technician, body=f"Commentaire {n}")
        media = Media.objects.create(ticket=ticket, original_name=f"{n}.png", content_type="image/png",
                                     kind=Media.Kind.PHOTO, size=len(PNG), uploaded_by=technician)
        media.file.save(f"{n}.png", io.BytesIO(PNG))
        Machine.objects.create(machine_type="Four", model=f"M{n}")
        make_user(f"tech{n}@igp.test", Role.TECHNICIAN)
    return ticket


LISTS = {
    "tickets": (lambda t: "/api/tickets", 5),
    "tickets, filtered, searched and ordered": (lambda t: "/api/tickets?overdue=false&ordering=-priority&search=a", 5),
    "machines": (lambda t: "/api/machines", 5),
    "users": (lambda t: "/api/users", 5),
    "technicians": (lambda t: "/api/users/technicians", 4),
    "comments": (lambda t: ticket_url(t, "comments"), 6),
    "media": (lambda t: ticket_url(t, "media"), 6),
    "timeline": (lambda t: ticket_url(t, "timeline"), 5),
}


@pytest.mark.parametrize("size", [2, 50])
@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_costs_a_fixed_number_of_queries_whatever_its_size(
        name, size, client_for, supervisor, technician, make_ticket, django_assert_max_num_queries):
    path, budget = LISTS[name]
    ticket = fill(make_ticket, technician, size)
    client = client_for(supervisor)  # Not an admin: his permissions are real queries.

    with django_assert_max_num_queries(budget):
        response = client.get(path(ticket), {"page_size": 50})

    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) >= size


def test_a_full_page_of_200_tickets_costs_four_queries_in_either_language(
        client_for, supervisor, technician, machine, django_assert_num_queries):
    # User, his permissions (own and group, one query), count, and one page with machine,
    # reporter and assignee joined: the rows are built without another query.
    Ticket.objects.bulk_create([
        Ticket(ticket_id=f"IGP-COMPTE-{n:03d}", title=f"Ticket {n}", machine=machine, reporter=supervisor,
               assigned_to=technician if n % 3 == 1 else None, assigned_to_team=n % 3 == 2,
               scheduled_date=timezone.now() - timedelta(days=1) if n % 2 else None)
        for n in range(200)
    ])
    for language in ("fr", "en"):
        client = client_for(supervisor, HTTP_ACCEPT_LANGUAGE=language)
        with django_assert_num_queries(4):
            response = client.get("/api/tickets", {"page_size": 200})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == 200
        assert {r["assignee_label"] for r in rows} == {"", "Équipe complète", "Jean Technicien"}
