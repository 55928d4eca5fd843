"""CSV files that Excel opens right, streamed row by row.

- UTF-8 with a BOM: without it Excel reads « Réparé » as « RÃ©parÃ© ».
- `;` for French Excel, which splits on `;` and then reads a decimal comma, so numbers are
  written « 1,5 » in that variant: `?sep=semicolon`, and the default of the French pages;
  `?sep=comma` (the default in English and in the API) for everything else.
- Streamed: a StreamingHttpResponse fed by `.iterator()` over `values_list` rows, so
  100,000 tickets never sit in memory at once (bench/reports.py measures it).
"""
import csv
from datetime import timedelta

from django.db.models import BooleanField, Case, Value, When
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tickets.models import Ticket

BOM = "\ufeff"
SEMICOLON = "semicolon"
CHUNK = 2000


class _Echo:
    """csv.writer writes into this and gets the line back, to yield it."""

    def write(self, value):
        return value


COMMA = "comma"


class Dialect:
    """`sep`: "semicolon" or "comma"; omitted, the page's language decides (`;` in French, where Excel
    splits on it); the API passes "comma" as its default (programs, not Excel, read it)."""

    def __init__(self, sep="", *, default=None):
        sep = sep if sep in (SEMICOLON, COMMA) else (default or self.for_language())
        self.semicolon = sep == SEMICOLON
        self.delimiter = ";" if self.semicolon else ","

    @staticmethod
    def for_language():
        return SEMICOLON if (get_language() or "").startswith("fr") else COMMA

    def number(self, value):
        if value is None:
            return ""
        text = f"{value:.1f}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if self.semicolon else text

    def hours(self, value):
        return "" if value is None else self.number(round(value.total_seconds() / 3600, 1))

    @staticmethod
    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def streamed_csv(header, rows, *, filename, dialect):
    """A StreamingHttpResponse of `header` then `rows` (any iterable), BOM first."""
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter)

    def lines():
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


TICKET_COLUMNS = ("ticket_id", "title", "machine__machine_type", "machine__model", "machine__location", "status",
                  "priority", "reporter__first_name", "reporter__last_name", "reporter__email",
                  "assigned_to__first_name", "assigned_to__last_name", "assigned_to__email", "assigned_to_team",
                  "scheduled_date", "created_at", "completed_at", "is_overdue")


def ticket_header():
    return [_("Numéro"), _("Titre"), _("Machine"), _("Emplacement"), _("Statut"), _("Priorité"),
            _("Signalé par"), _("Assigné à"), _("Date planifiée"), _("Créé le"), _("Terminé le"), _("En retard"),
            _("Heures de réparation")]


def ticket_rows(tickets, *, now, dialect):
    """One list per ticket, read `CHUNK` rows at a time (a server-side cursor on PostgreSQL)."""
    statuses, priorities = dict(Ticket.Status.choices), dict(Ticket.Priority.choices)
    statuses = {k: str(v) for k, v in statuses.items()}
    priorities = {k: str(v) for k, v in priorities.items()}
    yes, no, team = _("oui"), _("non"), _("Équipe complète")
    overdue = Case(When(Ticket.objects.overdue_q(now), then=Value(True)), default=Value(False),
                   output_field=BooleanField())
    values = (tickets.annotate(is_overdue=overdue).order_by("-created_at", "-pk")
              .values_list(*TICKET_COLUMNS).iterator(chunk_size=CHUNK))
    for (number, title, mtype, mmodel, location, status, priority, rfirst, rlast, remail, afirst, alast, aemail,
         to_team, scheduled, created, completed, is_late) in values:
        # A person's name as User.__str__ gives it: full name, else e-mail.
        assignee = team if to_team else (f"{afirst or ''} {alast or ''}".strip() or aemail or "")
        repair = dialect.hours(completed - created if completed else None)
        yield [number, title, f"{mtype} {mmodel}".strip(), location, statuses.get(status, status),
               priorities.get(priority, priority), f"{rfirst} {rlast}".strip() or remail, assignee,
               dialect.moment(scheduled), dialect.moment(created), dialect.moment(completed),
               yes if is_late else no, repair]


def _duration(dialect, value):
    return dialect.hours(value if isinstance(value, timedelta) or value is None else None)


def table_csv_rows(name, rows, dialect):
    """(header, rows) of one report table, in the page's words."""
    d = dialect
    if name == "weeks":
        return [_("Semaine du"), _("Ouverts"), _("Fermés")], (
            [r["week"].isoformat(), r["opened"], r["closed"]] for r in rows)
    if name == "machines":
        return [_("Machine"), _("Ouverts"), _("En retard")], ([r["machine"], r["open"], r["overdue"]] for r in rows)
    if name == "mttr-machines":
        return [_("Machine"), _("Réparations"), _("MTTR (heures)")], (
            [r["machine"], r["repairs"], _duration(d, r["mttr"])] for r in rows)
    if name == "mttr-priorities":
        return [_("Priorité"), _("Réparations"), _("MTTR (heures)")], (
            [r["label"], r["repairs"], _duration(d, r["mttr"])] for r in rows)
    if name == "statuses":
        return [_("Statut"), _("Tickets"), _("Total (heures)"), _("Moyenne par ticket (heures)")], (
            [r["label"], r["tickets"], _duration(d, r["total"]), _duration(d, r["mean"])] for r in rows)
    if name == "alerts":
        return [_("Destination"), _("Envoyées"), _("Échouées")], (
            [r["destination"], r["sent"], r["failed"]] for r in rows)
    if name == "technicians":
        return [_("Technicien"), _("Terminés"), _("MTTR (heures)"), _("Ouverts assignés")], (
            [r["technician"], r["completed"], _duration(d, r["mttr"]), r["open"]] for r in rows)
    raise KeyError(name)
