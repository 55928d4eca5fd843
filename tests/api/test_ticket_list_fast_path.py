"""The ticket list's two shortcuts (issue 10, "the API list's cost") change its
speed, never its answer.

1. Rows are built directly (api.serializers.TicketListSerializer); each must be
   exactly what TicketSerializer gives for one ticket. A list row that differed
   from the same ticket read alone (a label left in French, an hour off across a
   DST change, a null turned into "") would show the mobile app two versions of
   one ticket. These tests compare the two, value by value, on tickets that
   differ in every way a row can.
2. The FilterSet is not built when the query string has nothing for it
   (api.filters.TicketFilterBackend); any other parameter still goes through it.
"""
import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from accounts.roles import Role
from api.filters import TicketFilter
from api.serializers import TicketSerializer
from tests.api.conftest import ticket_url
from tests.conftest import NOW, make_user
from tickets.models import Machine, Ticket

FACTORY_TZ = ZoneInfo("America/Toronto")


def as_json(data):
    """What a client receives: the rendered bytes, read back."""
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def varied_tickets(make_ticket, supervisor, operator, technician, machine):
    """Tickets covering each status, priority and kind of assignment, dates on both
    sides of `NOW`, in and around the 2025 and 2026 DST changes, and a nameless
    reporter on a machine without a location."""
    bare_machine = Machine.objects.create(machine_type="Four", model="T-1")
    nameless = make_user("sans-nom@igp.test", Role.OPERATOR, first="", last="")
    dates = [
        None,
        NOW - timedelta(days=2, hours=9, minutes=26),  # Overdue when assigned and waiting.
        NOW + timedelta(hours=3),  # Not yet due.
        datetime(2025, 11, 2, 1, 30, tzinfo=FACTORY_TZ),  # The hour that happens twice (first time).
        datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=FACTORY_TZ),  # ... and the second time.
        datetime(2026, 3, 8, 3, 30, tzinfo=FACTORY_TZ),  # Just after clocks spring forward.
        datetime(2025, 6, 1, 0, 0, tzinfo=ZoneInfo("UTC")),  # Summer, given in UTC.
    ]
    assignments = [{}, {"assigned_to": technician}, {"assigned_to_team": True}]
    tickets = []
    for n in range(len(Ticket.Status.values) * len(dates)):
        status = Ticket.Status.values[n % len(Ticket.Status.values)]
        completed = status in (Ticket.Status.COMPLETED, Ticket.Status.ARCHIVED)
        tickets.append(make_ticket(
            title=f"Ticket {n} — « guillemets » et accents é",
            description="" if n % 4 == 0 else "Courroie à remplacer\nligne 2",
            machine=bare_machine if n % 5 == 0 else machine,
            status=status,
            priority=Ticket.Priority.values[n % len(Ticket.Priority.values)],
            reporter=[supervisor, operator, nameless][n % 3],
            scheduled_date=dates[n % len(dates)],
            created_at=dates[(n + 3) % len(dates)] or NOW - timedelta(minutes=n),
            completed_at=dates[(n + 1) % len(dates)] if completed else None,
            **assignments[n % len(assignments)],
        ))
    return Ticket.objects.with_related().filter(pk__in=[t.pk for t in tickets]).order_by("pk")


VIEWERS = {
    # Moves on every row (superuser: has_perm answers True without asking the database).
    "admin": (Role.ADMIN, None),
    "supervisor": (Role.SUPERVISOR, None),
    "technician": (Role.TECHNICIAN, None),
    # No moves anywhere.
    "operator": (Role.OPERATOR, None),
    # Moves only on the tickets he may see (his own): the answer changes from row to row.
    "operator allowed to move": (Role.OPERATOR, "move_ticket"),
    # A serializer used outside a view: no request, no moves.
    "no request": (None, None),
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", list(VIEWERS))
def test_a_list_row_is_exactly_the_ticket_read_alone(varied_tickets, kind, language):
    role, extra_permission = VIEWERS[kind]
    viewer = make_user("lecteur@igp.test", role) if role else None
    if extra_permission:
        viewer.user_permissions.add(Permission.objects.get(codename=extra_permission))
    if viewer is not None:  # A few of the tickets are his own.
        Ticket.objects.filter(pk__in=[t.pk for t in varied_tickets[::4]]).update(reporter=viewer)
    tickets = list(varied_tickets.all())
    context = {"request": SimpleNamespace(user=viewer)} if viewer else {}

    with translation.override(language), time_machine.travel(NOW, tick=False):
        rows = as_json(TicketSerializer(tickets, many=True, context=dict(context)).data)
        alone = [as_json(TicketSerializer(t, context=dict(context)).data) for t in tickets]

    assert len(rows) == len(tickets) > 40
    for row, expected in zip(rows, alone, strict=True):
        assert row == expected
        assert list(row) == list(expected)  # Same keys in the same order: the same bytes.
    # The comparison covered what it claims to cover.
    assert {r["assignee_label"] for r in rows} == {"", "Équipe complète", "Jean Technicien"}
    assert {r["is_overdue"] for r in rows} == {True, False}
    assert any(r["reporter"]["full_name"] == "" for r in rows)
    assert any(r["machine"]["location"] == "" for r in rows)
    assert {r["scheduled_date"] for r in rows} >= {None, "2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00",
                                                   "2026-03-08T03:30:00-04:00", "2025-05-31T20:00:00-04:00"}
    moves = {bool(r["allowed_moves"]) for r in rows}
    assert moves == {"admin": {True}, "supervisor": {True}, "technician": {True}, "operator": {False},
                     "operator allowed to move": {True, False}, "no request": {False}}[kind]


@pytest.mark.parametrize(("language", "labels"), [
    ("fr", {"Reçu", "Diagnostic", "En cours", "En attente de pièces", "Terminé", "Archivé"}),
    ("en", {"Received", "Diagnosis", "In progress", "Waiting for parts", "Completed", "Archived"}),
])
def test_list_labels_are_in_the_callers_language(varied_tickets, language, labels):
    with translation.override(language):
        rows = TicketSerializer(varied_tickets, many=True).data
    assert {r["status_label"] for r in rows} == labels
    assert len({r["priority_label"] for r in rows}) == len(Ticket.Priority.values)


def test_list_dates_follow_the_current_time_zone_and_utc_ends_in_z(varied_tickets):
    with timezone.override(ZoneInfo("UTC")):
        rows = as_json(TicketSerializer(varied_tickets, many=True).data)
        alone = [as_json(TicketSerializer(t).data) for t in varied_tickets]
    assert rows == alone
    assert "2025-06-01T00:00:00Z" in {r["scheduled_date"] for r in rows}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_api_list_gives_each_ticket_as_its_own_page_does(
        varied_tickets, client_for, supervisor, technician, operator, language):
    for viewer in (supervisor, technician, operator):
        with time_machine.travel(NOW, tick=False):
            client = client_for(viewer, HTTP_ACCEPT_LANGUAGE=language)  # The token's clock is NOW's.
            listed = client.get("/api/tickets", {"page_size": 200}).json()["results"]
            assert listed, viewer
            for row in listed:
                alone = client.get(ticket_url(SimpleNamespace(ticket_id=row["ticket_id"]))).json()
                assert row == alone


@pytest.fixture
def filtersets_built(monkeypatch):
    """How many TicketFilter instances the requests built."""
    built = []
    original = TicketFilter.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TicketFilter, "__init__", counting)
    return built


def test_an_unfiltered_page_skips_the_filterset_and_lists_the_same_rows(
        varied_tickets, client_for, supervisor, filtersets_built):
    client = client_for(supervisor)

    quick = client.get("/api/tickets", {"page_size": 20, "page": 2}).json()
    assert filtersets_built == []
    filtered = client.get("/api/tickets", {"page_size": 20, "page": 2, "ordering": "-created_at"}).json()
    assert len(filtersets_built) == 1

    assert quick["results"] == filtered["results"]
    assert quick["count"] == len(varied_tickets) and len(quick["results"]) == 20


def test_search_alone_still_searches(varied_tickets, client_for, supervisor, filtersets_built):
    rows = client_for(supervisor).get("/api/tickets", {"search": "Ticket 17 "}).json()["results"]
    assert [r["title"] for r in rows] == ["Ticket 17 — « guillemets » et accents é"]
    assert filtersets_built == []


@pytest.mark.parametrize(("query", "code"), [
    ({"status": "fini"}, 400),
    ({"assigned_to": "jean"}, 400),
    ({"created_after": "hier"}, 400),
    ({"machine": "0"}, 400),
    ({"page_size": 5, "status": "received", "priority": "bogus"}, 400),
    ({"status": "received"}, 200),
    ({"couleur": "bleu"}, 200),  # Unknown: ignored, as django-filter always did.
])
def test_any_other_parameter_goes_through_the_filterset_and_a_bad_value_is_a_400(
        varied_tickets, client_for, supervisor, filtersets_built, query, code):
    response = client_for(supervisor).get("/api/tickets", query)
    assert response.status_code == code
    assert len(filtersets_built) == 1
    if query == {"status": "received"}:
        assert {r["status"] for r in response.json()["results"]} == {"received"}
