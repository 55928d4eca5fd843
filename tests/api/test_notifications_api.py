"""The caller's own notifications and preferences over the API: 50 a page, unread filter, read, read all."""
from datetime import timedelta

import pytest

from notifications.fanout import notify, ticket_params
from notifications.models import Channel, Kind, Notification, NotificationPreference
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
LIST = "/api/notifications"


def tell(user, ticket, n=1, *, prefix="t"):
    made = []
    for i in range(n):
        made += notify(Kind.TICKET_ASSIGNED, recipients=[user], ticket=ticket, params=ticket_params(ticket),
                       key=f"{prefix}:{i}", now=NOW + timedelta(minutes=i))
    return made


def test_the_list_is_mine_newest_first_50_a_page_with_the_text_in_my_language(
        client_for, technician, technician2, make_ticket):
    ticket = make_ticket(title="Presse bloquée")
    made = tell(technician, ticket, 60)
    tell(technician2, ticket, 3)

    body = client_for(technician).get(LIST).json()

    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"].endswith("page=2")
    assert [r["id"] for r in body["results"]] == [n.pk for n in reversed(made)][:50]
    first = body["results"][0]
    assert first["title"] == f"Ticket assigné : {ticket.ticket_id}" and first["kind"] == "ticket_assigned"
    assert first["body"] == "Presse bloquée — Polisseuse Double Edger."
    assert first["ticket"] == ticket.ticket_id and first["unread"] is True and first["read_at"] is None
    assert first["url"].endswith(ticket.get_absolute_url())


def test_the_list_pages_like_every_other_list(client_for, technician, make_ticket):
    tell(technician, make_ticket(), 12)
    body = client_for(technician).get(LIST, {"page_size": 5, "page": 3}).json()
    assert body["count"] == 12 and len(body["results"]) == 2 and body["next"] is None


def test_the_unread_filter(client_for, technician, make_ticket):
    made = tell(technician, make_ticket(), 3)
    Notification.objects.filter(pk=made[0].pk).update(read_at=NOW)
    body = client_for(technician).get(LIST, {"unread": "true"}).json()
    assert sorted(r["id"] for r in body["results"]) == sorted(n.pk for n in made[1:])


def test_the_list_costs_the_same_queries_for_5_or_50(client_for, technician, make_ticket,
                                                     django_assert_num_queries):
    ticket = make_ticket()
    client = client_for(technician)
    tell(technician, ticket, 5)
    # The person (JWT), the count, and one page with the ticket joined.
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 5
    tell(technician, ticket, 45, prefix="more")
    with django_assert_num_queries(3):
        assert len(client.get(LIST).json()["results"]) == 50


def test_english_text_with_accept_language(client_for, technician, make_ticket):
    ticket = make_ticket()
    tell(technician, ticket)
    body = client_for(technician, HTTP_ACCEPT_LANGUAGE="en").get(LIST).json()
    assert body["results"][0]["title"] == f"Ticket assigned: {ticket.ticket_id}"


def test_reading_one_marks_it_read(client_for, technician, make_ticket):
    [notification] = tell(technician, make_ticket())
    response = client_for(technician).post(f"{LIST}/{notification.pk}/read")
    assert response.status_code == 200 and response.json()["unread"] is False
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_reading_someone_elses_is_a_404_and_leaves_it_unread(client_for, technician, technician2, admin_user,
                                                             make_ticket):
    [notification] = tell(technician2, make_ticket())
    for caller in (technician, admin_user):
        response = client_for(caller).post(f"{LIST}/{notification.pk}/read")
        assert response.status_code == 404 and response.json()["status"] == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_mine_and_says_how_many(client_for, technician, technician2, make_ticket):
    ticket = make_ticket()
    tell(technician, ticket, 4)
    tell(technician2, ticket, 2)
    response = client_for(technician).post(f"{LIST}/read-all")
    assert response.json() == {"marked": 4}
    assert Notification.objects.filter(recipient=technician2, read_at__isnull=True).count() == 2
    assert client_for(technician).post(f"{LIST}/read-all").json() == {"marked": 0}


def test_the_preferences_show_the_defaults(client_for, technician):
    body = client_for(technician).get(f"{LIST}/preferences").json()
    assert body["choices"][Kind.TICKET_OVERDUE] == {Channel.PUSH: True, Channel.EMAIL: True}
    assert body["choices"][Kind.TICKET_ASSIGNED] == {Channel.PUSH: True, Channel.EMAIL: False}
    assert body["quiet_start"] is None and body["critical_ignores_quiet_hours"] is True


def test_put_changes_what_it_names_and_keeps_the_rest(client_for, technician):
    client = client_for(technician)
    response = client.put(f"{LIST}/preferences", {
        "choices": {Kind.TICKET_ASSIGNED: {Channel.EMAIL: True}, Kind.DUE_SOON: {Channel.PUSH: False}},
        "quiet_start": "22:00", "quiet_end": "06:00"}, format="json")
    assert response.status_code == 200
    body = client.get(f"{LIST}/preferences").json()
    assert body["choices"][Kind.TICKET_ASSIGNED][Channel.EMAIL] is True
    assert body["choices"][Kind.DUE_SOON][Channel.PUSH] is False
    assert body["choices"][Kind.TICKET_OVERDUE][Channel.EMAIL] is True  # not named: kept
    assert (body["quiet_start"], body["quiet_end"]) == ("22:00", "06:00")


@pytest.mark.parametrize("payload, field", [
    ({"choices": {"pas_un_type": {"email": True}}, "quiet_start": None, "quiet_end": None}, "choices"),
    ({"choices": {"ticket_assigned": {"pigeon": True}}, "quiet_start": None, "quiet_end": None}, "choices"),
    ({"quiet_start": "22:00", "quiet_end": None}, "quiet_end"),
    ({"quiet_start": "07:00", "quiet_end": "07:00"}, "quiet_end"),
    ({"quiet_start": "16:37:10.5+06:26", "quiet_end": "20:00"}, "quiet_start"),  # factory time: no offset
])
def test_put_refuses_what_it_cannot_store_with_a_400_and_saves_nothing(client_for, technician, payload, field):
    response = client_for(technician).put(f"{LIST}/preferences", payload, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not NotificationPreference.objects.filter(user=technician).exists()


def test_the_schema_documents_the_notification_endpoints(client_for, technician):
    schema = client_for(technician).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/notifications", "/api/notifications/{id}/read", "/api/notifications/read-all",
                 "/api/notifications/preferences"):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/notifications/preferences"]) == {"get", "put"}
