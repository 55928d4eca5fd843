"""What an admin sees of the notifications to people (every outbox row per channel, its attempts) and
what /api/health says about a channel failing for more than an hour."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from notifications.models import Channel, Delivery, DeliveryAttempt, Kind
from notifications.preferences import preference_set
from notifications.selectors import failing_channels
from notifications.services import deliver_people
from tests.conftest import NOW
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def emailed(technician):
    preference_set(user=technician, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True})
    return technician


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 18399, 1  # Nobody there.
    return settings


def test_the_outbox_lists_every_delivery_with_its_channel_status_and_attempts(admin_client, smtp_down, emailed,
                                                                             make_ticket, supervisor):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=supervisor, technician=emailed, now=NOW)
    deliver_people(now=NOW)
    delivery = Delivery.objects.get()

    listing = admin_client.get(reverse("admin:notifications_delivery_changelist") + "?channel=email&status=failed")
    page = admin_client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk]))

    assert listing.status_code == 200 and ticket.ticket_id in listing.content.decode()
    assert "Connexion impossible au serveur de courriel" in page.content.decode()
    empty = admin_client.get(reverse("admin:notifications_delivery_changelist") + "?channel=push")
    assert ticket.ticket_id not in empty.content.decode()


def test_resend_now_delivers_through_the_claim_and_keeps_the_id(admin_client, smtp, emailed, make_ticket,
                                                                supervisor, settings):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=emailed, now=NOW)
    smtp.refuse[emailed.email] = "550 5.1.1 No such user"
    deliver_people(now=NOW)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GIVEN_UP
    smtp.refuse.clear()  # The mailbox was created.

    response = admin_client.post(reverse("admin:notifications_delivery_changelist"),
                                 {"action": "resend_now", "_selected_action": [delivery.pk]}, follow=True)

    assert "1 envoi réussi." in response.content.decode()
    assert smtp.message_ids() == [f"<{delivery.notification_id}@maintenance.igp.test>"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and DeliveryAttempt.objects.count() == 2


def test_the_notification_page_shows_its_text_and_deliveries(admin_client, make_ticket, supervisor, emailed):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=emailed, now=NOW)
    notification = emailed.notifications.get()

    page = admin_client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))

    assert page.status_code == 200
    assert "Assigné par Marc Superviseur" in page.content.decode()
    assert emailed.email in page.content.decode()


def test_a_channel_failing_for_more_than_an_hour_is_reported_by_health(client, smtp_down, emailed, make_ticket,
                                                                       supervisor):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=emailed, now=NOW)
    deliver_people(now=NOW)

    assert failing_channels(now=NOW + timedelta(minutes=59)) == []
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        answer = client.get("/api/health")
    assert answer.json()["failing_channels"] == ["email"]
    assert answer.status_code == 503, "stale (no scan ran): the status code still says only that"
    assert set(answer.json()) == {"status", "last_run_at", "last_run_age_seconds", "stale_after_seconds",
                                  "failing_channels"}


def test_a_channel_that_delivers_to_others_is_not_failing(smtp, emailed, technician2, make_ticket, supervisor):
    preference_set(user=technician2, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True})
    smtp.refuse[emailed.email] = "451 4.2.0 Greylisted"
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=emailed, now=NOW)
    deliver_people(now=NOW)
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician2, now=NOW + timedelta(minutes=30))
    deliver_people(now=NOW + timedelta(minutes=30))

    assert failing_channels(now=NOW + timedelta(minutes=61)) == []


def test_a_webhook_alert_failing_for_more_than_an_hour_is_reported(hooks, overdue_ticket):
    import responses

    from notifications.services import run_overdue_scan

    from .conftest import HOOK_URL

    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, status=500)
    run_overdue_scan(now=NOW)

    assert failing_channels(now=NOW + timedelta(minutes=30)) == []
    assert "webhook" in failing_channels(now=NOW + timedelta(minutes=61))
