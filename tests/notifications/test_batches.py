"""Deliveries to people by batch (worker threads): claimed, recorded and settled `NOTIFICATIONS_BATCH_SIZE`
at a time, against the real SMTP server on 127.0.0.1.

What a person would notice is the same as one by one — each e-mail once, its history row complete, refusals
given up, temporary failures retried with the same Message-ID — with far fewer statements; and a run whose
budget runs out gives back what it had claimed ahead, so the next run sends it, once.
"""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from notifications import services
from notifications.fanout import notify, ticket_params
from notifications.models import Channel, Delivery, DeliveryAttempt, Kind, NotificationPreference
from notifications.services import deliver_people
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def threaded(settings):
    settings.WEBHOOK_MAX_CONCURRENCY = 4
    settings.EMAIL_MAX_CONCURRENCY = 2
    settings.NOTIFICATIONS_BATCH_SIZE = 25
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False
    return settings


def people_emailed(count, make_ticket, *, prefix="lot"):
    """`count` technicians who want assignment e-mails, all told of one ticket: `count` e-mail deliveries."""
    people = User.objects.bulk_create(
        User(email=f"{prefix}-{i:03d}@igp.test", first_name="Tech", last_name=str(i), role=Role.TECHNICIAN)
        for i in range(count))
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, choices={f"{Kind.TICKET_ASSIGNED}:{Channel.EMAIL}": True}) for u in people)
    ticket = make_ticket()
    notify(Kind.TICKET_ASSIGNED, recipients=people, ticket=ticket, params=ticket_params(ticket),
           key=f"batch:{ticket.pk}", now=NOW, channels=[Channel.EMAIL])
    return people


def test_a_hundred_emails_go_out_once_each_with_their_history_in_fewer_statements_than_emails(
    smtp, threaded, make_ticket
):
    people_emailed(100, make_ticket)

    with CaptureQueriesContext(connection) as queries:
        tally = deliver_people(now=NOW)

    assert (tally.sent, tally.failed, tally.given_up, tally.held) == (100, 0, 0, 0)
    ids = {f"<{d.notification_id}@maintenance.igp.test>" for d in Delivery.objects.all()}
    assert sorted(smtp.message_ids()) == sorted(ids)  # Each e-mail once, with its delivery's id.
    assert set(Delivery.objects.values_list("status", "attempts", "claim_token")) == {(Delivery.Status.SENT, 1, None)}
    attempts = DeliveryAttempt.objects.all()
    assert attempts.count() == 100
    assert {(a.attempt, a.status_code, a.succeeded, a.error) for a in attempts} == {(1, 250, True, "")}
    assert all(a.duration is not None and a.duration > timedelta(0) for a in attempts)
    # One by one this was four statements per e-mail (claim, attempt row, its outcome, release).
    assert len(queries) < 100


def test_refusals_in_one_batch_are_each_settled_as_one_by_one(smtp, threaded, make_ticket):
    people = people_emailed(20, make_ticket)
    refused, busy = people[:3], people[3:5]
    for person in refused:
        smtp.refuse[person.email] = "550 5.1.1 Mailbox unknown"
    for person in busy:
        smtp.refuse[person.email] = "451 4.3.0 Try again later"

    tally = deliver_people(now=NOW)

    assert (tally.sent, tally.given_up, tally.failed) == (15, 3, 2)
    by_target = {d.target: d for d in Delivery.objects.all()}
    for person in refused:
        row = by_target[person.email]
        assert (row.status, row.attempts, row.claim_token) == (Delivery.Status.GIVEN_UP, 1, None)
        assert "550" in row.last_error
    for person in busy:
        row = by_target[person.email]
        assert (row.status, row.attempts, row.next_attempt_at) == (Delivery.Status.FAILED, 1,
                                                                   NOW + timedelta(minutes=5))
    codes = sorted(DeliveryAttempt.objects.values_list("status_code", flat=True))
    assert codes == [250] * 15 + [451] * 2 + [550] * 3

    smtp.refuse.clear()
    retry = deliver_people(now=NOW + timedelta(minutes=5))

    assert (retry.sent, retry.failed) == (2, 0)
    retried = {d.target: d for d in Delivery.objects.filter(target__in=[p.email for p in busy])}
    assert {d.status for d in retried.values()} == {Delivery.Status.SENT}
    ids = smtp.message_ids()
    assert len(ids) == len(set(ids)) == 17  # The two retried e-mails kept their Message-ID and came once.


def test_what_a_cut_budget_had_claimed_ahead_is_given_back_and_sent_once_by_the_next_run(
    smtp, threaded, make_ticket, monkeypatch, settings
):
    """Each accepted e-mail moves the run's clock one second on: the 3.5 s budget lets a few out, while 25 were
    claimed and recorded ahead. The others go back as they were (no claim, no "sending" history row)."""
    settings.EMAIL_MAX_CONCURRENCY = 1
    people_emailed(30, make_ticket)
    clock = [0.0]
    monkeypatch.setattr(services, "monotonic", lambda: clock[0])

    class Ticking(list):
        def append(self, message):
            super().append(message)
            clock[0] += 1.0

    smtp.messages = Ticking()

    cut = deliver_people(now=NOW, budget_seconds=3.5)

    assert 1 <= cut.sent < 30
    assert cut.sent + cut.remaining == 30 and cut.held == 0
    assert DeliveryAttempt.objects.count() == cut.sent
    assert not DeliveryAttempt.objects.filter(error=DeliveryAttempt.SENDING).exists()
    waiting = Delivery.objects.exclude(status=Delivery.Status.SENT)
    assert waiting.count() == cut.remaining
    assert set(waiting.values_list("status", "attempts", "claimed_until", "claim_token")) == {
        (Delivery.Status.PENDING, 0, None, None)}

    monkeypatch.setattr(services, "monotonic", lambda: 0.0)
    rest = deliver_people(now=NOW)

    assert rest.sent == cut.remaining
    ids = smtp.message_ids()
    assert len(ids) == len(set(ids)) == 30
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
