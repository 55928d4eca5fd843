import threading
from datetime import datetime

import pytest
from django.db import close_old_connections, connection

from accounts.models import User
from tickets.models import Machine, Ticket

from ..conftest import FACTORY_TZ, make_user


def test_a_ticket_number_follows_the_original_format(make_ticket, now):
    ticket = make_ticket(created_at=now)
    assert ticket.ticket_id == "IGP-POLISSEUSE-DOUBLE EDGER-20251112-001"


def test_numbers_follow_each_other_within_a_day(make_ticket, now):
    ids = [make_ticket(created_at=now).ticket_id for _ in range(3)]
    assert [i.rsplit("-", 1)[1] for i in ids] == ["001", "002", "003"]


def test_the_sequence_starts_again_the_next_day(make_ticket, now):
    make_ticket(created_at=now)
    tomorrow = make_ticket(created_at=now.replace(day=13))
    assert tomorrow.ticket_id.endswith("-20251113-001")


def test_the_day_is_the_factorys_day_not_utcs(make_ticket):
    # 22:30 in Quebec on 12 November is already the 13th in UTC.
    late_evening = datetime(2025, 11, 12, 22, 30, tzinfo=FACTORY_TZ)
    assert make_ticket(created_at=late_evening).ticket_id.endswith("-20251112-001")


def test_the_number_is_upper_case_and_keeps_spaces(make_ticket, now):
    machine = Machine.objects.create(machine_type="Four de trempe", model="glaston")
    assert make_ticket(machine=machine, created_at=now).ticket_id == "IGP-FOUR DE TREMPE-GLASTON-20251112-001"


def test_a_slash_in_a_machine_name_cannot_split_the_ticket_url(make_ticket, now):
    machine = Machine.objects.create(machine_type="Presse", model="HP-3000/2")
    assert "/" not in make_ticket(machine=machine, created_at=now).ticket_id


def test_the_number_goes_past_999_without_colliding(make_ticket, now):
    from tickets.models import TicketDaySequence

    TicketDaySequence.objects.create(day=now.date(), last_number=999)
    assert make_ticket(created_at=now).ticket_id.endswith("-1000")


def test_saving_a_ticket_again_keeps_its_number(make_ticket):
    ticket = make_ticket()
    number = ticket.ticket_id
    ticket.title = "Autre titre"
    ticket.save()
    ticket.refresh_from_db()
    assert ticket.ticket_id == number


@pytest.mark.django_db(transaction=True)
def test_tickets_created_at_the_same_instant_never_share_a_number(now):
    """Eight people report at the same second, each from their own connection."""
    reporter = make_user("rapide@igp.test", "operator")
    machine = Machine.objects.create(machine_type="CNC", model="Intermac")
    barrier = threading.Barrier(8)
    errors = []

    def report(n):
        try:
            barrier.wait()
            for i in range(5):
                Ticket.objects.create(title=f"Panne {n}-{i}", machine=machine, reporter=reporter, created_at=now)
        except Exception as exc:  # pragma: no cover - shown in the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()

    assert errors == []
    numbers = sorted(int(t.rsplit("-", 1)[1]) for t in Ticket.objects.values_list("ticket_id", flat=True))
    assert numbers == list(range(1, 41))
    assert User.objects.count() == 1
