"""The calendar maths of preventive plans: pure functions, no database, no clock.

A plan's rhythm is either
- *fixed* ("calendrier"): every N days, weeks or months counted from the plan's
  start date, whatever happened meanwhile. "The 15th of every third month" is a
  start date on a 15th with N = 3 months. A monthly rhythm keeps the start
  date's day of the month; in a month too short for it (the 31st in February,
  the 29th in a common year) the occurrence falls on the month's last day, and
  the next month goes back to the 31st: the rhythm never drifts.
- *floating* ("après la dernière"): N days, weeks or months after the previous
  occurrence was completed (or after the start date for the first one).

Occurrences are calendar dates; the hour of the work is the plan's time of day in
the factory's time zone (`occurrence_moment`), so "every Monday 08:00" stays at
08:00 across the DST changes of America/Toronto instead of sliding by an hour,
and an hour that does not exist that day (02:30 on the spring-forward Sunday) is
moved to the first hour that does.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS, WEEKS, MONTHS = "days", "weeks", "months"
FIXED, FLOATING = "fixed", "floating"


@dataclass(frozen=True)
class Rhythm:
    kind: str  # FIXED or FLOATING
    every: int  # N ≥ 1
    unit: str  # DAYS, WEEKS or MONTHS
    start: date

    def __post_init__(self):
        if self.every < 1:
            raise ValueError("every must be at least 1")
        if self.unit not in (DAYS, WEEKS, MONTHS) or self.kind not in (FIXED, FLOATING):
            raise ValueError("unknown unit or kind")


def add_months(day, months, *, anchor_day=None):
    """`day` moved by `months` months, on `anchor_day` (default: day's own) or the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def step(rhythm, n):
    """The n-th date (n ≥ 0) of a fixed rhythm, counted from its start (never from a clipped date)."""
    if rhythm.unit == MONTHS:
        return add_months(rhythm.start, n * rhythm.every, anchor_day=rhythm.start.day)
    days = rhythm.every * (7 if rhythm.unit == WEEKS else 1)
    return rhythm.start + timedelta(days=n * days)


def after(rhythm, day):
    """`day` plus one interval of the rhythm (the floating rule's next date)."""
    if rhythm.unit == MONTHS:
        return add_months(day, rhythm.every)
    return day + timedelta(days=rhythm.every * (7 if rhythm.unit == WEEKS else 1))


def first_fixed_on_or_after(rhythm, day):
    """The first date of a fixed rhythm on or after `day` (the start itself if `day` is before it)."""
    if day <= rhythm.start:
        return rhythm.start
    if rhythm.unit == MONTHS:
        months = (day.year - rhythm.start.year) * 12 + day.month - rhythm.start.month
        n = max(months // rhythm.every - 1, 0)
    else:
        days = rhythm.every * (7 if rhythm.unit == WEEKS else 1)
        n = (day - rhythm.start).days // days
    while step(rhythm, n) < day:
        n += 1
    return step(rhythm, n)


def next_date(rhythm, *, previous=None, completed_on=None):
    """The date of the occurrence after `previous` (None: the first one).

    Fixed: the rhythm's next date strictly after `previous`. Floating: one interval after the day the
    previous occurrence was completed (`completed_on`); while it is not completed there is no next date
    (None): the plan waits for the work.
    """
    if previous is None:
        return rhythm.start
    if rhythm.kind == FIXED:
        return first_fixed_on_or_after(rhythm, previous + timedelta(days=1))
    if completed_on is None:
        return None
    return max(after(rhythm, completed_on), previous + timedelta(days=1))


def dates_between(rhythm, first, start, end):
    """The dates of a fixed rhythm from `first` on, within [start, end] (the calendar's projection).

    A floating rhythm only knows its next date (`first`): the rest depends on completions.
    """
    if first is None:
        return []
    if rhythm.kind == FLOATING:
        return [first] if start <= first <= end else []
    out = []
    day = first_fixed_on_or_after(rhythm, max(first, start))
    while day <= end:
        out.append(day)
        day = first_fixed_on_or_after(rhythm, day + timedelta(days=1))
    return out


def occurrence_moment(day, at, tz):
    """The aware instant of `day` at the wall-clock time `at` in `tz`.

    A time that does not exist that day (skipped by the spring-forward change) moves
    forward to the hour that does; an ambiguous one (the autumn's repeated hour) is
    its first occurrence (fold=0), the one before the clocks go back.
    """
    tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))
    moment = datetime.combine(day, at, tzinfo=tz)
    # A skipped wall time does not survive the round trip through UTC.
    back = moment.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return datetime.combine(day, time(back.hour, back.minute), tzinfo=tz)
    return moment
