"""The e-mail channel against a real SMTP server (aiosmtpd on 127.0.0.1): what the person receives,
in their language; refusals given up, temporary failures retried with the same Message-ID; a killed
run's e-mail sent again by the next scan, with the same id."""
from datetime import timedelta

import pytest
import time_machine

from notifications import outbox
from notifications.models import Channel, Delivery, DeliveryAttempt, Kind, Notification
from notifications.preferences import preference_set
from notifications.services import deliver_people, run_overdue_scan
from tests.conftest import NOW
from tickets.services import ticket_assign

from .conftest import hook_ok, parts

pytestmark = pytest.mark.django_db
SITE = "https://maintenance.igp.test"


@pytest.fixture
def wants_assignment_emails(technician):
    preference_set(user=technician, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True})
    return technician


def test_an_assignment_emails_the_assignee_in_french_with_the_ticket_link_and_both_parts(
    smtp, make_ticket, supervisor, wants_assignment_emails
):
    technician = wants_assignment_emails
    ticket = make_ticket(title="Graisser les engrenages")

    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    deliver_people(now=NOW)

    [message] = smtp.received()
    assert message["To"] == technician.email
    assert message["Subject"] == f"Ticket assigné : {ticket.ticket_id}"
    text, html = parts(message)
    link = SITE + ticket.get_absolute_url()
    assert link in text and f'href="{link}"' in html
    assert "Graisser les engrenages — Polisseuse Double Edger. Assigné par Marc Superviseur." in text
    assert "Ouvrir le ticket" in html
    delivery = Delivery.objects.get()
    assert message["Message-ID"] == f"<{delivery.notification_id}@maintenance.igp.test>"
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/notifications/preferences/")
    assert delivery.status == Delivery.Status.SENT
    assert timedelta(0) <= delivery.delivered_at - NOW < timedelta(seconds=5)  # The run's instant + its time.
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (250, True, "")


def test_an_english_speaking_assignee_gets_it_in_english(smtp, make_ticket, supervisor, wants_assignment_emails):
    technician = wants_assignment_emails
    technician.language = "en"
    technician.save()
    ticket = make_ticket(title="Graisser les engrenages")

    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    deliver_people(now=NOW)

    [message] = smtp.received()
    assert message["Subject"] == f"Ticket assigned: {ticket.ticket_id}"
    text, html = parts(message)
    assert "Assigned by Marc Superviseur." in text
    assert "Open the ticket" in html
    assert SITE + ticket.get_absolute_url() in text


def test_the_preferences_link_of_the_email_opens_that_persons_preferences_without_signing_in(
    smtp, client, make_ticket, supervisor, wants_assignment_emails
):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails, now=NOW)
    deliver_people(now=NOW)
    link = smtp.received()[0]["List-Unsubscribe"].strip("<>")

    page = client.get(link.removeprefix(SITE))

    assert page.status_code == 200
    assert "Jean Technicien" in page.content.decode()
    assert client.get("/notifications/preferences/forged-token/").status_code == 404


def test_a_recipient_refused_for_good_is_recorded_and_given_up(smtp, make_ticket, supervisor,
                                                               wants_assignment_emails):
    smtp.refuse[wants_assignment_emails.email] = "550 5.1.1 No such user here"
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails, now=NOW)

    tally = deliver_people(now=NOW)
    later = deliver_people(now=NOW + timedelta(hours=2))

    assert smtp.received() == []
    assert (tally.given_up, later.due) == (1, 0)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.GIVEN_UP
    [attempt] = DeliveryAttempt.objects.all()
    assert attempt.status_code == 550 and not attempt.succeeded
    assert attempt.error == "Destinataire refusé : 550 5.1.1 No such user here"


def test_a_temporary_refusal_is_retried_after_5_minutes_with_the_same_message_id(
    smtp, make_ticket, supervisor, wants_assignment_emails
):
    smtp.refuse[wants_assignment_emails.email] = "451 4.2.0 Mailbox busy, try again later"
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails, now=NOW)
    deliver_people(now=NOW)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at == NOW + timedelta(minutes=5)

    smtp.refuse.clear()
    deliver_people(now=NOW + timedelta(minutes=4))
    assert smtp.received() == []
    deliver_people(now=NOW + timedelta(minutes=5))

    assert smtp.message_ids() == [f"<{delivery.notification_id}@maintenance.igp.test>"]
    attempts = list(DeliveryAttempt.objects.order_by("attempt").values_list("attempt", "status_code", "succeeded"))
    assert attempts == [(1, 451, False), (2, 250, True)]


def test_an_unreachable_server_is_retried_like_a_webhook(settings, make_ticket, supervisor,
                                                         wants_assignment_emails):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 18399, 2
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails, now=NOW)

    deliver_people(now=NOW)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert delivery.last_error.startswith("Connexion impossible au serveur de courriel")


def test_a_killed_runs_email_is_sent_by_the_next_scan_with_the_same_message_id(
    smtp, hooks, make_ticket, supervisor, wants_assignment_emails
):
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails, now=NOW)
    delivery = Delivery.objects.get()
    # A run claimed it, recorded "Envoi en cours", then its process was killed.
    claimed, _token = outbox.claim(Delivery.objects.filter(pk=delivery.pk), now=NOW, at=NOW,
                                   status=Delivery.Status.SENDING)
    assert claimed is not None
    left = DeliveryAttempt.objects.create(delivery=delivery, sent_at=NOW, error=DeliveryAttempt.SENDING)

    run_overdue_scan(now=NOW + timedelta(minutes=4))
    assert smtp.received() == [], "the claim is alive: the dying run might still send"

    result = run_overdue_scan(now=NOW + timedelta(minutes=6))

    assert smtp.message_ids() == [f"<{delivery.notification_id}@maintenance.igp.test>"]
    assert result.people.sent == 1
    left.refresh_from_db()
    assert left.error == "Interrompu (envoi non terminé)"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_an_overdue_ticket_emails_its_assignee_and_the_digest_admin_once_per_24_hours(
    smtp, hooks, overdue_ticket, technician, admin_user
):
    ticket = overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)
    assert sorted(m["To"] for m in smtp.received()) == [admin_user.email, technician.email]
    subject = smtp.received()[0]["Subject"]
    assert subject == f"Ticket en retard : {ticket.ticket_id}"
    assert "En retard de 2 j 9 h 26 min." in parts(smtp.received()[0])[0]

    run_overdue_scan(now=NOW + timedelta(minutes=5))
    run_overdue_scan(now=NOW + timedelta(hours=23, minutes=55))
    assert len(smtp.received()) == 2
    assert len(hooks.calls) == 1, "the webhook's window is unchanged"

    run_overdue_scan(now=NOW + timedelta(hours=24))
    assert len(smtp.received()) == 4
    assert len(set(smtp.message_ids())) == 4, "the next day's e-mail is a new message"
    assert len(hooks.calls) == 2
    assert Notification.objects.filter(recipient=technician, kind=Kind.TICKET_OVERDUE).count() == 2


def test_the_digest_admin_gets_the_email_but_no_push_and_an_assignee_without_email_preference_none(
    smtp, hooks, overdue_ticket, technician, admin_user
):
    preference_set(user=technician, choices={(Kind.TICKET_OVERDUE, Channel.EMAIL): False})
    overdue_ticket()
    hook_ok(hooks)

    run_overdue_scan(now=NOW)

    assert [m["To"] for m in smtp.received()] == [admin_user.email]
    assert Notification.objects.filter(recipient=technician).exists(), "the bell still shows it"
    assert len(hooks.calls) == 1


def test_a_team_ticket_overdue_emails_every_active_technician(smtp, hooks, overdue_ticket, technician,
                                                              technician2, settings):
    settings.OVERDUE_WEBHOOK_URL = ""
    technician2.is_active = False
    technician2.save()
    overdue_ticket(assigned_to=None, assigned_to_team=True)

    run_overdue_scan(now=NOW)

    assert [m["To"] for m in smtp.received()] == [technician.email]


def test_quiet_hours_hold_the_email_until_their_end_except_for_a_critical_ticket(
    smtp, make_ticket, supervisor, wants_assignment_emails
):
    from datetime import time

    technician = wants_assignment_emails
    preference_set(user=technician, choices={(Kind.TICKET_ASSIGNED, Channel.EMAIL): True},
                   quiet_start=time(22, 0), quiet_end=time(6, 0))
    night = NOW.replace(hour=23, minute=0)
    morning = (night + timedelta(days=1)).replace(hour=6, minute=0)
    normal, critical = make_ticket(title="Normal"), make_ticket(title="Critique", priority="critical")

    with time_machine.travel(night, tick=False):
        ticket_assign(ticket=normal, by=supervisor, technician=technician)
        ticket_assign(ticket=critical, by=supervisor, technician=technician)
        deliver_people()
    assert [m["Subject"] for m in smtp.received()] == [f"Ticket assigné : {critical.ticket_id}"]

    deliver_people(now=morning - timedelta(minutes=5))
    assert len(smtp.received()) == 1
    deliver_people(now=morning)
    assert len(smtp.received()) == 2


@pytest.mark.django_db(transaction=True)
def test_an_assignment_is_emailed_right_after_it_commits_without_waiting_for_a_scan(
    smtp, settings, make_ticket, supervisor, wants_assignment_emails
):
    import time

    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = True
    ticket_assign(ticket=make_ticket(), by=supervisor, technician=wants_assignment_emails)

    deadline = time.monotonic() + 15
    while not smtp.received() and time.monotonic() < deadline:
        time.sleep(0.05)
    while Delivery.objects.filter(status__in=Delivery.OPEN).exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # The thread records the outcome just after the server answered.

    assert len(smtp.received()) == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_the_fast_header_writer_writes_the_bytes_the_standard_one_writes(make_ticket, supervisor,
                                                                         wants_assignment_emails):
    """transports.email._Policy skips email.header for headers already one short ASCII line: same bytes."""
    from email.policy import compat32

    from notifications.transports import email as transport

    technician = wants_assignment_emails
    technician.first_name = "Éloïse"  # A non-ASCII display name and subject: encoded words, folded.
    technician.save()
    ticket = make_ticket(title="Vérifier l'étanchéité du joint " + "très long " * 12)
    ticket_assign(ticket=ticket, by=supervisor, technician=technician, now=NOW)
    delivery = Delivery.objects.select_related("person_notification__recipient", "person_notification__ticket").get()
    message = transport.build(delivery).message()

    fast = message.as_bytes(linesep="\r\n")
    message.policy = compat32.clone(max_line_length=998)
    assert fast == message.as_bytes(linesep="\r\n")
    assert b"List-Unsubscribe: <" in fast
