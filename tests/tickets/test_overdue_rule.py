from datetime import timedelta

from tickets.models import Ticket
from tickets.overdue import overdue_text


def test_the_delay_reads_like_the_original():
    assert overdue_text(timedelta(days=2, hours=9, minutes=26, seconds=59)) == "2 jour(s) 9h 26min"


def test_under_a_day_the_delay_has_no_days():
    assert overdue_text(timedelta(hours=9, minutes=26)) == "9h 26min"
    assert overdue_text(timedelta(minutes=3)) == "0h 3min"


def test_an_assigned_scheduled_ticket_past_its_date_is_overdue(make_ticket, technician, now):
    ticket = make_ticket(assigned_to=technician, scheduled_date=now - timedelta(minutes=1))
    assert list(Ticket.objects.overdue(now=now)) == [ticket]
    assert ticket.overdue_delay(now).text == "0h 1min"


def test_the_queryset_and_the_instance_agree(make_ticket, technician, now):
    for status in Ticket.Status.values:
        make_ticket(status=status, assigned_to=technician, scheduled_date=now - timedelta(hours=1))
    overdue = set(Ticket.objects.overdue(now=now))
    assert overdue == {t for t in Ticket.objects.all() if t.is_overdue(now)}
    assert {t.status for t in overdue} == {"received", "diagnostic"}
