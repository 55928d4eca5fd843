"""The calendar maths of plans (planning/rhythm.py): month ends, leap years, DST in America/Toronto."""
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from planning import rhythm
from planning.rhythm import DAYS, FIXED, FLOATING, MONTHS, WEEKS, Rhythm

TORONTO = ZoneInfo("America/Toronto")


def dates(r, n):
    out, previous = [], None
    for _ in range(n):
        previous = rhythm.next_date(r, previous=previous)
        out.append(previous)
    return out


def test_the_15th_of_every_third_month():
    r = Rhythm(FIXED, 3, MONTHS, date(2025, 11, 15))
    assert dates(r, 4) == [date(2025, 11, 15), date(2026, 2, 15), date(2026, 5, 15), date(2026, 8, 15)]


def test_the_31st_falls_on_the_last_day_of_short_months_and_comes_back():
    r = Rhythm(FIXED, 1, MONTHS, date(2026, 1, 31))
    assert dates(r, 5) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                           date(2026, 5, 31)]


def test_the_29th_of_february_in_a_leap_year_and_the_28th_in_the_others():
    r = Rhythm(FIXED, 12, MONTHS, date(2028, 2, 29))
    assert dates(r, 5) == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28),
                           date(2032, 2, 29)]


def test_the_31st_in_february_of_a_leap_year_is_the_29th():
    r = Rhythm(FIXED, 1, MONTHS, date(2028, 1, 31))
    assert dates(r, 2)[1] == date(2028, 2, 29)


def test_weeks_and_days():
    assert dates(Rhythm(FIXED, 2, WEEKS, date(2025, 11, 10)), 3) == [
        date(2025, 11, 10), date(2025, 11, 24), date(2025, 12, 8)]
    assert dates(Rhythm(FIXED, 10, DAYS, date(2028, 2, 20)), 2) == [date(2028, 2, 20), date(2028, 3, 1)]


def test_a_fixed_rhythm_finds_its_first_date_after_any_day():
    r = Rhythm(FIXED, 3, MONTHS, date(2025, 11, 15))
    assert rhythm.first_fixed_on_or_after(r, date(2026, 2, 16)) == date(2026, 5, 15)
    assert rhythm.first_fixed_on_or_after(r, date(2026, 5, 15)) == date(2026, 5, 15)
    assert rhythm.first_fixed_on_or_after(r, date(2020, 1, 1)) == date(2025, 11, 15)


def test_a_floating_rhythm_counts_from_the_completion_and_waits_without_one():
    r = Rhythm(FLOATING, 10, DAYS, date(2025, 11, 1))
    assert rhythm.next_date(r, previous=date(2025, 11, 1)) is None
    assert rhythm.next_date(r, previous=date(2025, 11, 1), completed_on=date(2025, 11, 5)) == date(2025, 11, 15)
    monthly = Rhythm(FLOATING, 1, MONTHS, date(2026, 1, 1))
    assert rhythm.next_date(monthly, previous=date(2026, 1, 1), completed_on=date(2026, 1, 31)) == date(2026, 2, 28)


def test_projection_within_a_month():
    r = Rhythm(FIXED, 1, WEEKS, date(2025, 11, 3))
    assert rhythm.dates_between(r, date(2025, 11, 3), date(2025, 11, 1), date(2025, 11, 30)) == [
        date(2025, 11, 3), date(2025, 11, 10), date(2025, 11, 17), date(2025, 11, 24)]


def test_eight_oclock_stays_eight_oclock_across_the_autumn_change():
    before = rhythm.occurrence_moment(date(2025, 11, 1), time(8), TORONTO)
    after = rhythm.occurrence_moment(date(2025, 11, 3), time(8), TORONTO)
    assert (before.hour, after.hour) == (8, 8)
    assert before.utcoffset() == timedelta(hours=-4) and after.utcoffset() == timedelta(hours=-5)


def test_an_hour_skipped_by_the_spring_change_moves_to_the_next_that_exists():
    moment = rhythm.occurrence_moment(date(2026, 3, 8), time(2, 30), TORONTO)
    assert (moment.hour, moment.minute) == (3, 30)
    assert moment.utcoffset() == timedelta(hours=-4)


def test_the_repeated_autumn_hour_is_the_first_one():
    moment = rhythm.occurrence_moment(date(2025, 11, 2), time(1, 30), TORONTO)
    assert moment.utcoffset() == timedelta(hours=-4)


def test_a_rhythm_needs_at_least_one():
    with pytest.raises(ValueError):
        Rhythm(FIXED, 0, DAYS, date(2025, 1, 1))
