"""Downtime, MTTR and MTBF of a machine (machines/figures.py), on hand-computed histories."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from machines.figures import downtime, machine_figures
from tests.reports.history import END, NOW, START

TZ = ZoneInfo("America/Toronto")
H = timedelta(hours=1)
OP, MAINT, OUT = "operational", "maintenance", "out_of_service"


def at(day, hour=0):
    return datetime(2025, 11, day, hour, tzinfo=TZ)


def test_a_machine_without_history_is_down_the_whole_period_if_it_is_down_now():
    assert downtime([], current_status=OUT, start=at(3), end=at(4)) == 24 * H
    assert downtime([], current_status=OP, start=at(3), end=at(4)) == timedelta(0)


def test_before_its_first_change_a_machine_was_in_that_change_s_old_status():
    """Period 3/11 00:00 → 4/11 00:00; first change 3/11 06:00 maintenance → operational: down 6 h."""
    assert downtime([(at(3, 6), MAINT, OP)], current_status=OP, start=at(3), end=at(4)) == 6 * H


def test_a_stop_that_began_before_the_period_counts_from_the_period_s_start():
    """Out of service since 1/11 10:00, back on 3/11 04:00; period from 3/11 00:00: 4 h."""
    changes = [(at(1, 10), OP, OUT), (at(3, 4), OUT, OP)]
    assert downtime(changes, current_status=OP, start=at(3), end=at(4)) == 4 * H


def test_a_stop_still_running_counts_up_to_the_end():
    """Out of service from 3/11 20:00, period ends 4/11 00:00: 4 h; maintenance counts as downtime too."""
    changes = [(at(3, 8), OP, MAINT), (at(3, 9), MAINT, OP), (at(3, 20), OP, OUT)]
    assert downtime(changes, current_status=OUT, start=at(3), end=at(4)) == 5 * H


def test_the_machine_page_figures_on_the_hand_made_history(history, machine, django_assert_num_queries):
    """M1 over 3/11 → 17/11 (336 h): out of service 3/11 10:00 → 5/11 14:00 = 52 h, maintenance 12/11
    08:00 → 12:00 = 4 h: downtime 56 h, operating 280 h, availability 280/336 = 83.3 %. Repairs A (54 h)
    and B (10 h): MTTR 32 h. Failures reported in the period: A, B, E = 3 (F is after) → MTBF 280/3 h
    = 93 h 20 min. Three queries."""
    with django_assert_num_queries(3):
        f = machine_figures(machine, start=START, end=END, now=NOW)
    assert (f.period, f.downtime, f.operating, f.availability) == (336 * H, 56 * H, 280 * H, 83.3)
    assert (f.repairs, f.mttr) == (2, 32 * H)
    assert (f.failures, f.mtbf) == (3, timedelta(hours=93, minutes=20))


def test_the_future_has_neither_downtime_nor_operating_time(history, machine):
    """Period 12/11 → 20/11 12:00 (now) though asked to 1/12: 8.5 days = 204 h, maintenance 4 h, operating
    200 h; failures E (12/11) and F (17/11) → MTBF 100 h; no repair in it."""
    f = machine_figures(machine, start=at(12), end=at(30) + timedelta(days=1), now=NOW)
    assert (f.period, f.downtime, f.failures, f.mtbf, f.repairs, f.mttr) == (204 * H, 4 * H, 2, 100 * H, 0, None)
