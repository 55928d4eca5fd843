"""Web Push through the one delivery discipline: the outbox rows of an event reach the person's devices,
through the push-service stand-in (VAPID checked, payload decrypted), with the same claim, history and retries
as the e-mail and the webhook; a device the push service forgot is removed, the other kept."""
from datetime import timedelta

import pytest

from notifications import push
from notifications.models import Channel, Delivery, DeliveryAttempt, Kind, PushSubscription
from notifications.services import deliver_people, run_overdue_scan
from tests.conftest import NOW
from tickets.services import ticket_assign

from .conftest import hook_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(vapid, push_service, technician):
    """The technician turned notifications on, on one phone."""
    return push.subscribe(user=technician, data=push_service.new_subscription(vapid), user_agent="Android", now=NOW)


def test_an_assignment_reaches_the_assignees_phone_decrypted_with_the_ticket_link(
    push_service, phone, make_ticket, supervisor, technician
):
    ticket = make_ticket(title="Graisser les engrenages")

    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    tally = deliver_people(now=NOW)

    [payload] = push_service.payloads()
    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert payload["title"] == f"Ticket assigné : {ticket.ticket_id}"
    assert payload["body"] == "Graisser les engrenages — Polisseuse Double Edger. Assigné par Marc Superviseur."
    assert payload["url"] == ticket.get_absolute_url()
    assert payload["id"] == str(delivery.notification_id)
    assert (delivery.status, delivery.target, tally.sent) == (Delivery.Status.SENT, str(phone.pk), 1)
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert (attempt.status_code, attempt.succeeded) == (201, True)


def test_an_english_speaking_technician_gets_the_push_in_english(push_service, phone, make_ticket, supervisor,
                                                                 technician):
    technician.language = "en"
    technician.save()
    ticket = make_ticket()

    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    deliver_people(now=NOW)

    assert push_service.payloads()[0]["title"] == f"Ticket assigned: {ticket.ticket_id}"


def test_each_device_gets_its_own_delivery_and_a_forgotten_one_is_removed_the_other_kept(
    vapid, push_service, phone, make_ticket, supervisor, technician
):
    tablet_info = push_service.new_subscription(vapid)
    tablet = push.subscribe(user=technician, data=tablet_info, user_agent="iPad", now=NOW)
    push_service.forget(tablet_info)  # Reset: its push service now answers 410.

    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)
    tally = deliver_people(now=NOW)

    assert len(push_service.payloads()) == 1
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [phone.pk]
    gone = Delivery.objects.get(target=str(tablet.pk))
    assert gone.status == Delivery.Status.GIVEN_UP and "410" in gone.last_error
    assert (tally.sent, tally.given_up) == (1, 1)


def test_a_busy_push_service_is_asked_again_after_its_retry_after_with_the_same_id(
    push_service, phone, make_ticket, supervisor, technician
):
    push_service.answer(429, {"Retry-After": "1200"})
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)

    deliver_people(now=NOW)
    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at >= NOW + timedelta(minutes=20), "the push service's pause, not our 5 minutes"

    deliver_people(now=NOW + timedelta(minutes=5))
    assert push_service.payloads() == []
    deliver_people(now=NOW + timedelta(minutes=21))
    [payload] = push_service.payloads()
    assert payload["id"] == str(delivery.notification_id)
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 2


def test_a_push_the_service_refuses_as_such_is_given_up_at_once_and_the_device_kept(
    push_service, phone, make_ticket, supervisor, technician
):
    """413 (payload too large), 400, 403: the same push would be refused the same way for hours."""
    push_service.answer(413)
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)

    tally = deliver_people(now=NOW)

    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert (delivery.status, delivery.attempts, tally.given_up) == (Delivery.Status.GIVEN_UP, 1, 1)
    assert delivery.last_error == "Code HTTP 413 reçu"
    assert PushSubscription.objects.filter(pk=phone.pk).exists()
    assert deliver_people(now=NOW + timedelta(hours=2)).due == 0


def test_an_overdue_ticket_pushes_to_its_assignee_once_per_window_beside_the_webhook(
    push_service, phone, hooks, overdue_ticket
):
    ticket = overdue_ticket()
    hook_ok(hooks)
    hooks.add_passthru(push_service.origin)  # The webhook is mocked; the push service is the real stand-in.

    run_overdue_scan(now=NOW)
    run_overdue_scan(now=NOW + timedelta(minutes=5))

    [payload] = push_service.payloads()
    assert payload["title"] == f"Ticket en retard : {ticket.ticket_id}"
    assert len(hooks.calls) == 1


def test_a_device_removed_before_the_send_is_given_up_without_a_request(
    push_service, phone, make_ticket, supervisor, technician
):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)
    push.unsubscribe(user=technician, endpoint=phone.endpoint)

    deliver_people(now=NOW)

    assert push_service.payloads() == []
    delivery = Delivery.objects.filter(channel=Channel.PUSH).first()
    assert delivery is None or delivery.status == Delivery.Status.GIVEN_UP


def test_without_vapid_keys_no_push_delivery_is_made(settings, make_ticket, supervisor, technician):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    PushSubscription.objects.create(user=technician, endpoint="https://fcm.googleapis.com/fcm/send/x",
                                    p256dh="k", auth="a")

    ticket_assign(ticket=make_ticket(), by=supervisor, technician=technician, now=NOW)

    assert not Delivery.objects.filter(channel=Channel.PUSH).exists()
    assert technician.notifications.filter(kind=Kind.TICKET_ASSIGNED).count() == 1, "the bell still has it"
