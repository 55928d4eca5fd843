"""The reports' figures on the hand-made history of tests/reports/history.py (answers computed by hand)."""
from datetime import timedelta

import pytest

from reports import figures
from reports.figures import Period

from .history import END, NOW, START

H = timedelta(hours=1)
PERIOD = Period(start=START, end=END, now=NOW)


def test_tickets_opened_and_closed_per_week(history):
    """Week of 3/11: opened A, B; closed A (5/11), B (4/11). Week of 10/11: opened C, E; closed D (13/11).
    D was opened on 31/10 and F on 17/11: outside the period."""
    rows = figures.tickets_per_week(PERIOD)
    assert [(r["week"].isoformat(), r["opened"], r["closed"]) for r in rows] == [
        ("2025-11-03", 2, 2), ("2025-11-10", 2, 1)]


def test_open_and_overdue_per_machine_are_counted_now(history):
    """Open now: C (M2), E and F (M1). Overdue: E only (assigned, scheduled 13/11, still received);
    C waits for parts (not a waiting status of the overdue rule), F is not assigned."""
    rows = figures.open_overdue_per_machine(PERIOD)
    assert [(r["machine"], r["open"], r["overdue"]) for r in rows] == [
        ("Polisseuse Double Edger", 2, 1), ("WaterJet Flow", 1, 0)]


def test_mttr_per_machine_counts_the_repairs_completed_in_the_period(history):
    """M1: A 54 h and B 10 h → 32 h over 2 repairs. M2: D from 31/10 08:00 to 13/11 08:00 (it was reported
    before the period, but completed in it): 13 days on the wall clock, but the clocks went back an hour on
    2/11 (EDT → EST), so 12:00 UTC → 13:00 UTC = 313 h really elapsed. Slowest first."""
    rows = figures.mttr_per_machine(PERIOD)
    assert [(r["machine"], r["repairs"], r["mttr"]) for r in rows] == [
        ("WaterJet Flow", 1, 313 * H), ("Polisseuse Double Edger", 2, 32 * H)]


def test_mttr_per_priority_lists_every_priority_most_urgent_first(history):
    """critical: B 10 h; high: A 54 h (C is not repaired); medium: D 313 h (across the DST change); low: none."""
    rows = figures.mttr_per_priority(PERIOD)
    assert [(r["priority"], r["repairs"], r["mttr"]) for r in rows] == [
        ("critical", 1, 10 * H), ("high", 1, 54 * H), ("medium", 1, 313 * H), ("low", 0, None)]


def test_time_in_each_status_is_clipped_to_the_period_waiting_for_parts_first(history):
    """waiting for parts: A 3/11 10:00→5/11 10:00 = 48 h, C 11/11 08:00→17/11 00:00 (period end) = 136 h
    → 184 h over 2 tickets. received: A 1 h + B 4 h + C 24 h + D 8 h (clipped: 3/11 00:00→08:00)
    + E 12/11 08:00→17/11 00:00 = 112 h → 149 h over 5. diagnostic: A 1 h. in progress: A 4 h + B 6 h
    + D 3/11 08:00→13/11 08:00 = 240 h → 250 h over 3. F starts after the period."""
    rows = {r["status"]: (r["tickets"], r["total"]) for r in figures.time_in_status(PERIOD)}
    assert list(rows) == ["waiting_parts", "received", "diagnostic", "in_progress"]
    assert rows == {"waiting_parts": (2, 184 * H), "received": (5, 149 * H), "diagnostic": (1, 1 * H),
                    "in_progress": (3, 250 * H)}
    assert figures.time_in_status(PERIOD)[0]["mean"] == 92 * H


def test_a_period_ending_now_counts_open_stays_up_to_now(history):
    """Period 10/11 00:00 → 20/11 12:00 (now): C waits for parts from 11/11 08:00 to now = 9 d 4 h = 220 h."""
    period = Period(start=START + timedelta(days=7), end=NOW + timedelta(days=3), now=NOW)
    rows = {r["status"]: r["total"] for r in figures.time_in_status(period)}
    assert rows["waiting_parts"] == 220 * H


def test_overdue_alerts_sent_and_failed_per_destination(history):
    """Pabbly: 1 sent, 1 failed (the « Envoi en cours » row is neither; the 30/10 row and the test row are
    not counted). The old address: 2 failed. Most failures first."""
    rows = figures.alerts_per_destination(PERIOD)
    assert rows == [{"destination": "https://old.example/hook", "sent": 0, "failed": 2},
                    {"destination": "Pabbly", "sent": 1, "failed": 1}]


def test_work_per_technician(history):
    """Jean: A (54 h) and D (313 h) completed → mean 183.5 h; C and E open. Pierre: B (10 h), nothing open."""
    rows = figures.work_per_technician(PERIOD)
    assert [(r["technician"], r["completed"], r["mttr"], r["open"]) for r in rows] == [
        ("Jean Technicien", 2, 183.5 * H, 2), ("Pierre Technicien", 1, 10 * H, 0)]


def test_every_table_costs_a_fixed_number_of_queries(history, django_assert_num_queries):
    """Two for the weeks, one for each other table: eight, whatever the number of tickets."""
    with django_assert_num_queries(8):
        figures.all_tables(PERIOD)


@pytest.mark.parametrize("name", list(figures.TABLES))
def test_an_empty_factory_gives_empty_figures_not_errors(db, name):
    figures.TABLES[name](PERIOD)
