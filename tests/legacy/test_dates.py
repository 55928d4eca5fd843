"""How the original's zone-less dates are read: server columns in UTC, form columns in factory time."""
from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from legacy.conversions import parse_legacy_datetime
from tickets.models import Ticket


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_date_written_by_the_server_is_read_as_utc():
    assert parse_legacy_datetime("2025-11-05 06:54:36", local=False) == utc(2025, 11, 5, 6, 54, 36)


def test_a_date_typed_in_the_browser_is_read_in_factory_time_winter_and_summer():
    assert parse_legacy_datetime("2025-11-07T07:54:00", local=True) == utc(2025, 11, 7, 12, 54)  # EST
    assert parse_legacy_datetime("2025-07-10T07:54", local=True) == utc(2025, 7, 10, 11, 54)  # EDT


def test_a_local_time_that_happens_twice_when_clocks_go_back_is_the_first_one():
    # 2 Nov 2025: 01:30 happens in EDT, then again in EST; the first is 05:30 UTC.
    assert parse_legacy_datetime("2025-11-02T01:30:00", local=True) == utc(2025, 11, 2, 5, 30)
    assert parse_legacy_datetime("2025-11-02T02:30:00", local=True) == utc(2025, 11, 2, 7, 30)


def test_a_local_time_skipped_when_clocks_go_forward_keeps_the_earlier_offset():
    # 9 Mar 2025: 02:30 does not exist; read with EST (-5), i.e. 03:30 EDT.
    assert parse_legacy_datetime("2025-03-09T02:30:00", local=True) == utc(2025, 3, 9, 7, 30)


def test_a_date_that_carries_its_zone_is_read_in_that_zone_whatever_the_column():
    assert parse_legacy_datetime("2025-11-12T09:26:14.510Z", local=True) == utc(2025, 11, 12, 9, 26, 14, 510000)


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_an_empty_date_stays_empty(empty):
    assert parse_legacy_datetime(empty, local=True) is None


def test_the_sample_export_tickets_get_the_instants_their_history_shows(db, sample_export, run_import):
    run_import(sample_export)

    first = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251105-412")
    # created_at "07:12:09" is factory time: 12:12:09 UTC, two seconds before its "Ticket créé" (12:12:11 UTC).
    assert first.created_at == utc(2025, 11, 5, 12, 12, 9)
    assert first.timeline.get(action="created").created_at == utc(2025, 11, 5, 12, 12, 11)
    # updated_at was written by CURRENT_TIMESTAMP at the last status change.
    assert first.updated_at == utc(2025, 11, 6, 8, 3, 51)
    assert first.scheduled_date == utc(2025, 11, 7, 12, 30)

    untouched = Ticket.objects.get(ticket_id="IGP-TABLE DE DECOUPE-TD-4800-20251106-631")
    assert untouched.created_at == untouched.updated_at == utc(2025, 11, 6, 9, 5, 52)

    with_photo = Ticket.objects.get(ticket_id="IGP-FOUR DE TREMPE-FT-2200-20251106-158")
    # The photo's key starts with the upload's JavaScript timestamp, 1762418417250 ms = 08:40:17 UTC.
    assert with_photo.created_at == with_photo.media.get().created_at == utc(2025, 11, 6, 8, 40, 17)


def test_an_unreadable_date_stops_the_import_naming_the_row(db, make_dump, run_import):
    dump = make_dump("UPDATE tickets SET scheduled_date = 'demain matin' WHERE id = 2;")

    with pytest.raises(CommandError, match=r"Table « tickets », ligne id=2 : date illisible dans « scheduled_date »"):
        run_import(dump)
    assert not Ticket.objects.exists()
