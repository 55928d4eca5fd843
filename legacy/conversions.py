"""Turning the original's values into ours: dates, passwords, names.

Dates. The original stored dates as text without a zone, written by two
different clocks; which one wrote a column decides how it is read:

- UTC: every column the server filled with SQLite's CURRENT_TIMESTAMP
  (`2025-11-05 11:54:38`): users (created_at, updated_at, last_login), machines,
  tickets.updated_at and completed_at, media, ticket_timeline, ticket_comments,
  messages (created_at, read_at), webhook_notifications, roles...
- Factory local time (America/Toronto, settings.TIME_ZONE):
  - tickets.scheduled_date, typed in the browser's datetime-local input
    (`2025-11-07T07:54:00`);
  - tickets.created_at: the shared export proves it. Each ticket's created_at is
    exactly five hours (EST) before its own "Ticket créé" timeline entry and
    before the media uploaded with it, both written by CURRENT_TIMESTAMP, and its
    day is the one in the ticket number. Read as UTC, every ticket would have been
    created five hours before it was reported.
  - tickets.updated_at when it is still equal to created_at (the ticket was never
    changed: both were written together at creation). Once the original changed a
    ticket, it wrote updated_at with CURRENT_TIMESTAMP (UTC): those match the
    timeline to the second.
- A value that carries its own zone (`...Z`, `...+00:00`, as JavaScript's
  toISOString() writes) is read in that zone, whatever the column.

A local time that happens twice (the night clocks go back, 01:00-02:00 in
November) is read as the first one (daylight time); a local time that does not
exist (02:00-03:00 the night clocks go forward) is read with the offset in force
before the change, i.e. one hour later on the new clock.
"""
import hashlib
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

LOCAL_COLUMNS = {("tickets", "created_at"), ("tickets", "scheduled_date")}

_V2 = re.compile(r"^v2:((?:[0-9a-fA-F]{2})+):([0-9a-fA-F]{64})$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def factory_zone():
    return ZoneInfo(settings.TIME_ZONE)


def is_local_column(table, column):
    return (table, column) in LOCAL_COLUMNS


def parse_legacy_datetime(value, *, local):
    """Read one stored date; `local` says the column holds factory time. Raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"pas une date : {value!r}")
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    if local:
        # fold=0: the first of two identical wall-clock times; zoneinfo applies the
        # offset in force before a change to a time that does not exist.
        return parsed.replace(tzinfo=factory_zone(), fold=0).astimezone(UTC)
    return parsed.replace(tzinfo=UTC)


def legacy_password(value):
    """The Django-encoded form of a stored password, or None when it is not a hash.

    None means "no password anyone can use": placeholders such as
    SYSTEM_USER_NO_LOGIN or a plain word left by a seed script.
    """
    value = (value or "").strip()
    match = _V2.match(value)
    if match:
        salt, digest = match.groups()
        return f"igp_v2_pbkdf2$100000${salt.lower()}${digest.lower()}"
    if _SHA256.match(value):
        return f"igp_sha256$${value.lower()}"
    return None


def split_full_name(full_name):
    """"Jean Technicien" → ("Jean", "Technicien"); the first word is the first name.

    Compound first names written with a hyphen (Jean-Pierre) stay whole; a single
    word is a first name with no last name.
    """
    words = (full_name or "").split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def row_digest(row):
    canonical = repr(sorted((k, jsonable(v)) for k, v in row.items()))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def jsonable(value):
    if isinstance(value, bytes):
        return value.hex()
    return value


def jsonable_row(row):
    return {k: jsonable(v) for k, v in row.items()}
