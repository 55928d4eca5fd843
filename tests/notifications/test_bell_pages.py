"""The bell a person sees: the count in the header of every page, their last 50, opening one, mark all read."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.fanout import notify, ticket_params
from notifications.models import Kind, Notification
from tests.conftest import NOW
from tests.web.test_board_live import live_headers
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db
BOARD = reverse("web:board")
INBOX = reverse("notifications:inbox")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def tell(user, ticket, n=1, *, at=None, kind=Kind.TICKET_ASSIGNED):
    """`n` notifications for `user` about `ticket`, the newest last."""
    made = []
    for i in range(n):
        made += notify(kind, recipients=[user], ticket=ticket, params=ticket_params(ticket),
                       key=f"test:{user.pk}:{ticket.pk}:{kind}:{at}:{i}", now=(at or NOW) + timedelta(minutes=i))
    return made


def bell_label(page):
    return re.search(r'<a id="bell"[^>]*aria-label="([^"]*)"', page, re.S).group(1)


def test_the_header_says_how_many_notifications_are_unread(signed_in, technician, make_ticket):
    tell(technician, make_ticket(), 3)
    page = signed_in(technician).get(BOARD).content.decode()
    assert bell_label(page) == "3 notifications non lues"
    assert '<span class="bell-count" aria-hidden="true">3</span>' in page


def test_one_unread_is_singular_and_none_says_so(signed_in, technician, make_ticket):
    client = signed_in(technician)
    assert bell_label(client.get(BOARD).content.decode()) == "Notifications, aucune non lue"
    tell(technician, make_ticket())
    assert bell_label(client.get(BOARD).content.decode()) == "1 notification non lue"


def test_the_count_is_in_english_for_an_english_reader(signed_in, technician, make_ticket):
    tell(technician, make_ticket(), 2)
    client = signed_in(technician)
    client.cookies["django_language"] = "en"
    assert bell_label(client.get(BOARD).content.decode()) == "2 unread notifications"


def test_the_header_costs_one_query_whatever_the_number_of_notifications(
        signed_in, technician, make_ticket):
    client = signed_in(technician)
    ticket = make_ticket()
    client.get(BOARD)
    tell(technician, ticket, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    tell(technician, ticket, 200, at=NOW + timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        page = client.get(BOARD).content.decode()
    assert "201 notifications non lues" in page
    assert len(many) == len(few)
    assert sum("notifications_notification" in q["sql"] for q in many.captured_queries) == 1


def test_a_visitor_sees_no_bell(client):
    page = client.get(reverse("web:login")).content.decode()
    assert 'id="bell"' not in page


def test_the_bell_page_lists_the_last_50_newest_first_with_unread_in_bold(
        signed_in, technician, make_ticket, django_assert_max_num_queries):
    ticket = make_ticket(title="Presse bloquée")
    made = tell(technician, ticket, 55)
    Notification.objects.filter(pk=made[-2].pk).update(read_at=NOW)
    client = signed_in(technician)
    with django_assert_max_num_queries(8):
        page = client.get(INBOX).content.decode()
    items = re.findall(r'<li class="notif( notif-unread)?">\s*<a class="notif-link" href="/notifications/(\d+)/"', page)
    assert len(items) == 50
    assert [int(pk) for _u, pk in items] == [n.pk for n in reversed(made)][:50]
    assert items[0][0] and not items[1][0] and items[2][0]  # the second newest was read: not bold
    assert f"Ticket assigné : {ticket.ticket_id}" in page and "Presse bloquée — Polisseuse Double Edger." in page
    assert "Non lue :" in page  # said to screen readers, not only shown in bold


def test_the_time_is_relative_with_the_factory_time_in_the_title(signed_in, technician, make_ticket, clock):
    tell(technician, make_ticket(), at=NOW - timedelta(hours=2))
    page = signed_in(technician).get(INBOX).content.decode()
    assert "il y a 2\xa0heures" in page
    assert 'title="12 novembre 2025 07:26"' in page  # 09:26 in the factory, two hours earlier


def test_opening_a_notification_marks_it_read_and_goes_to_its_ticket(signed_in, technician, make_ticket):
    ticket = make_ticket()
    [notification] = tell(technician, ticket)
    client = signed_in(technician)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert bell_label(client.get(BOARD).content.decode()) == "Notifications, aucune non lue"


def test_someone_elses_notification_is_a_404_and_stays_unread(signed_in, technician, technician2, make_ticket):
    [notification] = tell(technician2, make_ticket())
    response = signed_in(technician).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_reads_only_mine(signed_in, technician, technician2, make_ticket):
    ticket = make_ticket()
    tell(technician, ticket, 3)
    tell(technician2, ticket, 2)
    client = signed_in(technician)

    response = client.post(reverse("notifications:read-all"), follow=True)

    assert "Toutes vos notifications sont lues." in response.content.decode()
    assert not Notification.objects.filter(recipient=technician, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=technician2, read_at__isnull=True).count() == 2


def test_mark_all_read_is_a_post(signed_in, technician):
    assert signed_in(technician).get(reverse("notifications:read-all")).status_code == 405


def test_the_panel_is_the_same_list_without_the_page_around_it(signed_in, technician, make_ticket):
    tell(technician, make_ticket(), 2)
    fragment = signed_in(technician).get(reverse("notifications:panel")).content.decode()
    assert "<html" not in fragment and fragment.count('class="notif notif-unread"') == 2
    assert 'id="bell-panel-title"' in fragment and "Tout marquer comme lu" in fragment


@pytest.mark.parametrize("name", ["notifications:inbox", "notifications:panel", "notifications:preferences"])
def test_the_bell_pages_ask_a_visitor_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_the_live_board_redraws_when_a_notification_arrives_and_redraws_the_bell(
        signed_in, technician, supervisor, make_ticket, clock):
    ticket = make_ticket()
    client = signed_in(technician)
    page = client.get(BOARD).content.decode()
    assert client.get(BOARD, **live_headers(page)).status_code == 204

    clock.shift(timedelta(seconds=20))
    ticket_assign(ticket=ticket, by=supervisor, technician=technician)
    answer = client.get(BOARD, **live_headers(page)).content.decode()

    assert 'hx-swap-oob="outerHTML"' in answer and bell_label(answer) == "1 notification non lue"
    assert "Nouveau ticket assigné" in answer  # the existing quiet toast, reused


def test_a_notification_that_changes_no_ticket_still_redraws_the_open_board(
        signed_in, technician, supervisor, clock):
    client = signed_in(technician)
    page = client.get(BOARD).content.decode()
    from notifications import events

    events.message_received(sender=supervisor, recipient=technician, excerpt="Passe me voir", url="/", key="m1")
    answer = client.get(BOARD, **live_headers(page))
    assert answer.status_code == 200 and bell_label(answer.content.decode()) == "1 notification non lue"
    assert "Nouveau ticket assigné" not in answer.content.decode()


def test_a_notification_of_this_minute_says_just_now(signed_in, technician, make_ticket, clock):
    tell(technician, make_ticket(), at=NOW - timedelta(seconds=20))
    assert "à l&#x27;instant" in signed_in(technician).get(INBOX).content.decode()
