"""Where notifications come from: assignments, completions, private messages, overdue tickets — each
person told once, never the person who did it, in the same transaction as the change."""
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import translation

from accounts.roles import Role
from notifications import events
from notifications.models import Delivery, Kind, Notification
from notifications.selectors import bell, unread_count
from notifications.services import notifications_mark_read, run_overdue_scan
from tests.conftest import NOW, make_user
from tickets.services import ticket_assign, ticket_move

from .conftest import hook_ok

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_assignment_tells_the_assignee_and_not_the_supervisor_who_made_it(make_ticket, supervisor, technician):
    ticket = make_ticket()

    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)

    [notification] = Notification.objects.all()
    assert notification.recipient == technician and notification.kind == Kind.TICKET_ASSIGNED
    assert notification.ticket == ticket and notification.ticket_number == ticket.ticket_id
    assert notification.get_absolute_url() == ticket.get_absolute_url()
    assert notification.title == f"Ticket assigné : {ticket.ticket_id}"
    assert notification.body == "Ajouter de la graisse aux engrenages — Polisseuse Double Edger. " \
                                "Assigné par Marc Superviseur."
    assert not Delivery.objects.exists(), "no e-mail for assignments by default, and no push device"


def test_a_team_assignment_tells_every_active_technician_but_the_team_leader_who_made_it(
    make_ticket, technician, technician2, operator
):
    leader = make_user("chef@igp.test", Role.TEAM_LEADER, "Chef", "Équipe")
    gone = make_user("parti@igp.test", Role.TECHNICIAN, is_active=False)

    ticket_assign(ticket=make_ticket(), by=leader, team=True, now=NOW)

    assert sorted(Notification.objects.values_list("recipient__email", flat=True)) == [technician.email,
                                                                                        technician2.email]
    assert kinds_for(leader) == kinds_for(gone) == kinds_for(operator) == []
    assert Notification.objects.first().title.startswith("Ticket assigné à l'équipe")


def test_unassigning_tells_nobody(make_ticket, supervisor, technician):
    ticket = make_ticket(assigned_to=technician)

    ticket_assign(ticket=ticket, by=supervisor, technician=None, now=NOW)

    assert not Notification.objects.exists()


def test_a_rolled_back_assignment_leaves_no_notification(make_ticket, supervisor, technician):
    ticket = make_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
        raise RuntimeError("the rest of the request failed")

    assert not Notification.objects.exists()


def test_completing_a_ticket_tells_its_reporter_unless_he_completed_it(make_ticket, supervisor, technician):
    by_technician = make_ticket(status="in_progress")
    by_reporter = make_ticket(status="in_progress")

    ticket_move(ticket=by_technician, to_status="completed", by=technician, now=NOW)
    ticket_move(ticket=by_reporter, to_status="completed", by=supervisor, now=NOW)

    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.ticket) == (supervisor, by_technician)
    assert notification.body.endswith("Terminé par Jean Technicien.")


def test_a_private_message_tells_its_recipient_once(technician, supervisor):
    for _ in range(2):
        events.message_received(sender=supervisor, recipient=technician, excerpt="Passe me voir", url="/messages/7/",
                                key="7", now=NOW)

    [notification] = Notification.objects.all()
    assert notification.title == "Message de Marc Superviseur"
    assert notification.body == "Passe me voir"
    assert notification.get_absolute_url() == "/messages/7/"


def test_the_text_is_rendered_in_the_readers_language(make_ticket, supervisor, technician):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    notification = Notification.objects.get()

    with translation.override("en"):
        assert notification.title == f"Ticket assigned: {ticket.ticket_id}"
        assert notification.body.endswith("Assigned by Marc Superviseur.")


def test_the_overdue_scan_tells_the_assignee_once_per_24_hours_with_the_webhooks_rule(hooks, overdue_ticket,
                                                                                    technician, make_ticket):
    overdue_ticket()
    make_ticket(assigned_to=technician, scheduled_date=NOW + timedelta(days=2))  # Not overdue yet.
    hook_ok(hooks)

    for minutes in (0, 5, 60, 23 * 60 + 55):
        run_overdue_scan(now=NOW + timedelta(minutes=minutes))
    assert kinds_for(technician) == [Kind.TICKET_OVERDUE]

    run_overdue_scan(now=NOW + timedelta(hours=24))
    assert kinds_for(technician) == [Kind.TICKET_OVERDUE] * 2


def test_an_overdue_notification_still_being_retried_holds_the_next_one(hooks, overdue_ticket, technician,
                                                                       settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 18399, 1  # Nobody there.
    overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)
    run_overdue_scan(now=NOW + timedelta(hours=25))

    assert kinds_for(technician) == [Kind.TICKET_OVERDUE], "the first one's e-mail is still retried, same id"


def test_the_bell_lists_the_persons_last_notifications_and_marks_them_read(make_ticket, supervisor, technician,
                                                                          technician2):
    for _ in range(3):
        ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician2, now=NOW)

    assert len(bell(technician)) == 3 and unread_count(technician) == 3
    first = bell(technician)[0]
    assert notifications_mark_read(user=technician, ids=[first.pk], now=NOW) == 1
    assert unread_count(technician) == 2
    assert notifications_mark_read(user=technician2, ids=[bell(technician)[1].pk], now=NOW) == 0, "not his"
    notifications_mark_read(user=technician, now=NOW)
    assert unread_count(technician) == 0 and unread_count(technician2) == 1
