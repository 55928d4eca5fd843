"""The reports page and the CSV exports (the board's tickets, each report table)."""
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from machines.forms import PeriodForm
from tickets.models import Ticket
from web.forms import BoardFilterForm
from web.selectors import BOARD_STATUSES

from . import charts, exports, figures
from .figures import Period


def reports_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm("reports.view_reports"):
            raise PermissionDenied(_("Les rapports sont réservés à ceux qui ont le droit de les voir."))
        return view(request, *args, **kwargs)

    return wrapped


def period_from(request):
    now = timezone.now()
    form = PeriodForm(request.GET or None)
    start, end, first, last = form.bounds(now=now)
    return form, Period(start=start, end=end, now=now), first, last


def _hours(value):
    return round(value.total_seconds() / 3600, 1) if value else 0


@dataclass
class Section:
    name: str
    heading: str
    note: str
    chart: str
    rows: list
    legend: list  # [(css class, words)]

    @property
    def table(self):
        return f"reports/_t_{self.name.replace('-', '_')}.html"


def _sections(tables):
    """The page's sections, in the order a supervisor reads them; chart, legend and notes for each."""
    h = lambda v: f"{number_format(v, 1)} h"  # noqa: E731  (« 184,0 h » in French)
    a, b, c = "bar-a", "bar-b", "bar-c"
    opened, closed, late, sent, failed = _("Ouverts"), _("Fermés"), _("En retard"), _("Envoyées"), _("Échouées")
    spec = [
        ("weeks", _("Tickets ouverts et fermés par semaine"), "", lambda r: r["week"].strftime("%d/%m"),
         [(lambda r: r["opened"], a, opened), (lambda r: r["closed"], b, closed)], str),
        ("statuses", _("Temps passé dans chaque statut"),
         _("Du passage dans un statut au suivant, d'après l'historique des tickets, limité à la période. "
           "En attente de pièces d'abord."),
         lambda r: r["label"], [(lambda r: _hours(r["total"]), b, _("Heures"))], h),
        ("machines", _("Tickets ouverts et en retard par machine"),
         _("Maintenant, quelle que soit la période. En retard : la règle des alertes (assigné, planifié dans le "
           "passé, pas encore commencé)."),
         lambda r: r["machine"], [(lambda r: r["open"], a, opened), (lambda r: r["overdue"], c, late)], str),
        ("mttr-machines", _("MTTR par machine"),
         _("Temps moyen de réparation : du signalement à la fin, pour les tickets terminés dans la période."),
         lambda r: r["machine"], [(lambda r: _hours(r["mttr"]), a, _("Heures"))], h),
        ("mttr-priorities", _("MTTR par priorité"), "", lambda r: r["label"],
         [(lambda r: _hours(r["mttr"]), a, _("Heures"))], h),
        ("alerts", _("Alertes de retard par destination"),
         _("Envoyées : reçues par la destination. Échouées : erreur ou pas de réponse."),
         lambda r: r["destination"], [(lambda r: r["sent"], a, sent), (lambda r: r["failed"], c, failed)], str),
        ("technicians", _("Travail par technicien"),
         _("Tickets terminés dans la période par la personne assignée, et ses tickets ouverts maintenant."),
         lambda r: r["technician"], [(lambda r: r["completed"], a, _("Terminés")), (lambda r: r["open"], b, opened)],
         str),
    ]
    sections = []
    for name, heading, note, label, series, fmt in spec:
        rows = tables[name]
        sections.append(Section(
            name=name, heading=heading, note=note, rows=rows,
            chart=charts.bar_chart(rows, label=label, series=series, title=heading, fmt=fmt),
            legend=[(css.removeprefix("bar-"), words) for _v, css, words in series] if len(series) > 1 else [],
        ))
    return sections


@reports_required
def reports_page(request):
    form, period, first, last = period_from(request)
    tables = figures.all_tables(period)
    query = urlencode({"du": first.isoformat(), "au": last.isoformat()})
    return render(request, "reports/page.html", {
        "period": form, "first_day": first, "last_day": last, "sections": _sections(tables), "query": query,
    })


@reports_required
def table_csv(request, table):
    if table not in figures.TABLES:
        raise Http404(_("Ce tableau n'existe pas."))
    _form, period, first, last = period_from(request)
    dialect = exports.Dialect(request.GET.get("sep", ""))
    header, rows = exports.table_csv_rows(table, figures.TABLES[table](period), dialect)
    return exports.streamed_csv(header, rows, filename=f"igp-{table}-{first}-{last}.csv", dialect=dialect)


@reports_required
def tickets_csv(request):
    return ticket_export(request)


def ticket_export(request, *, default_sep=None):
    """The board's tickets with the board's filters (?vue, machine, priorite, q, colonne), all of them,
    streamed (the page and the API call it)."""
    now = timezone.now()
    tickets = BoardFilterForm(request.GET or None).tickets_for(request.user)
    column = request.GET.get("colonne", "")
    tickets = tickets.filter(status=column) if column in Ticket.Status.values else \
        tickets.filter(status__in=BOARD_STATUSES)
    dialect = exports.Dialect(request.GET.get("sep", ""), default=default_sep)
    return exports.streamed_csv(exports.ticket_header(), exports.ticket_rows(tickets, now=now, dialect=dialect),
                                filename=f"igp-tickets-{timezone.localdate(now)}.csv", dialect=dialect)
