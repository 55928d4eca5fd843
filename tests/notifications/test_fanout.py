"""Fan-out: an event becomes one bell item per person and one delivery per wanted channel and target."""
import math
from datetime import time, timedelta

import pytest
from django.db import connection

from accounts.roles import Role
from notifications.fanout import INSERT_BATCH, notify, ticket_params
from notifications.models import Channel, Delivery, Kind, Notification
from notifications.preferences import preference_for, preference_set
from tests.conftest import NOW, make_user

pytestmark = pytest.mark.django_db


def test_an_event_creates_one_notification_per_person_and_an_email_only_where_wanted(technician, technician2,
                                                                                      make_ticket):
    ticket = make_ticket()
    preference_set(user=technician2, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True})

    notify(Kind.TICKET_ASSIGNED, recipients=[technician, technician2], ticket=ticket,
           params=ticket_params(ticket), key="k1", now=NOW)

    assert Notification.objects.count() == 2
    assert list(Delivery.objects.values_list("channel", "target")) == [("email", technician2.email)]


def test_the_same_event_twice_is_one_notification_and_one_delivery(technician, make_ticket):
    ticket = make_ticket()
    for _ in range(2):
        notify(Kind.TICKET_OVERDUE, recipients=[technician], ticket=ticket, params=ticket_params(ticket),
               key="same", now=NOW)

    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_a_person_without_an_address_gets_the_bell_item_but_no_email(make_ticket):
    nobody = make_user("x@igp.test", Role.TECHNICIAN)
    nobody.email = ""
    ticket = make_ticket()

    notify(Kind.TICKET_OVERDUE, recipients=[nobody], ticket=ticket, params=ticket_params(ticket), key="k", now=NOW)

    assert Notification.objects.filter(recipient=nobody).exists()
    assert not Delivery.objects.exists()


def test_quiet_hours_delay_the_delivery_to_their_end_but_not_for_a_critical_ticket(technician, make_ticket):
    preference_set(user=technician, quiet_start=time(22, 0), quiet_end=time(6, 0))
    night = NOW.replace(hour=23, minute=0)
    normal, critical = make_ticket(), make_ticket(priority="critical")

    for ticket in (normal, critical):
        notify(Kind.TICKET_OVERDUE, recipients=[technician], ticket=ticket, params=ticket_params(ticket),
               key=f"k{ticket.pk}", now=night)

    waits = dict(Delivery.objects.values_list("person_notification__ticket", "next_attempt_at"))
    assert waits[critical.pk] == night
    assert waits[normal.pk] == (night + timedelta(days=1)).replace(hour=6, minute=0)


def test_defaults_are_push_for_everything_and_email_for_overdue_only(technician):
    pref = preference_for(technician)
    assert pref.pk is None
    assert all(pref.wants(kind, Channel.PUSH) for kind in Kind.values)
    assert [k for k in Kind.values if pref.wants(k, Channel.EMAIL)] == [Kind.TICKET_OVERDUE]


def insert_statements(model, rows):
    """INSERTs Django needs for `rows` rows: one on PostgreSQL; SQLite's 999-variable limit splits them."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    batch = min(connection.ops.bulk_batch_size(fields, [None] * rows), INSERT_BATCH)
    return math.ceil(rows / batch)


@pytest.mark.parametrize("count", [10, 200])
def test_fanning_out_to_10_or_200_people_takes_the_same_queries(count, make_ticket, django_assert_num_queries):
    people = [make_user(f"t{i}@igp.test", Role.TECHNICIAN) for i in range(count)]
    ticket = make_ticket()
    params = ticket_params(ticket)
    # Preferences, read back the notifications, and the INSERTs (one each on PostgreSQL: 4 in all).
    expected = 2 + insert_statements(Notification, count) + insert_statements(Delivery, count)
    if connection.vendor == "postgresql":
        assert expected == 4

    with django_assert_num_queries(expected):
        notify(Kind.TICKET_OVERDUE, recipients=people, ticket=ticket, params=params, key="k", now=NOW)

    assert Delivery.objects.count() == count
