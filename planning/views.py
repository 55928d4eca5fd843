"""The planning pages: plans (list, form, page, pause, "Générer maintenant"), the calendar and its
drag-to-reschedule, a ticket's checklist, and the private iCalendar feed.

Thin like web/views.py: forms parse, planning.services / tickets.services decide and write.
"""
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tickets import policies
from tickets import services as ticket_services
from tickets.models import Ticket
from web.forms import TEAM_CHOICE

from . import feed, selectors, services
from .checklist import checklist_tick
from .forms import CalendarFilterForm, PlanForm
from .models import CalendarFeed, ChecklistItem, Plan


def _manager_only(request):
    if not services.can_manage(request.user):
        raise PermissionDenied(_("Vous n'avez pas le droit de gérer les plans de maintenance."))


@login_required
def plan_list(request):
    if not (services.can_manage(request.user) or request.user.has_perm("tickets.view_all_tickets")):
        raise PermissionDenied
    return render(request, "planning/plan_list.html", {
        "plans": selectors.plans_for_list(request.user), "can_manage": services.can_manage(request.user)})


@login_required
def plan_edit(request, pk=None):
    _manager_only(request)
    plan = get_object_or_404(Plan, pk=pk) if pk else Plan()
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(plan=form.apply(), by=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Plan enregistré."))
            return redirect(plan)
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan},
                  status=400 if form.errors else 200)


@login_required
def plan_detail(request, pk):
    if not (services.can_manage(request.user) or request.user.has_perm("tickets.view_all_tickets")):
        raise PermissionDenied
    plan = get_object_or_404(Plan.objects.select_related("machine", "assigned_to"), pk=pk)
    now = timezone.now()
    open_ticket = services.open_tickets_by_plan([plan.pk]).get(plan.pk)
    today = timezone.localdate(now)
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "can_manage": services.can_manage(request.user), "open_ticket": open_ticket,
        "late": services.is_late(plan, now=now, open_ticket=open_ticket),
        "occurrences": plan.occurrences.select_related("ticket")[:20],
        "upcoming": plan.upcoming(today, today + timedelta(days=366))[:6],
    })


@login_required
@require_POST
def plan_pause(request, pk):
    _manager_only(request)
    plan = get_object_or_404(Plan, pk=pk)
    paused = request.POST.get("paused") == "1"
    services.plan_pause(plan=plan, by=request.user, paused=paused)
    messages.success(request, _("Plan mis en pause.") if paused else _("Plan repris."))
    return redirect(plan)


@login_required
@require_POST
def plan_generate(request, pk):
    """"Générer maintenant": the next occurrence's ticket now, whatever the lead time (once, as the scan)."""
    _manager_only(request)
    plan = get_object_or_404(Plan, pk=pk)
    result = services.generate(plans=[plan], force=True)
    report_generation(request, result)
    return redirect(result.created[0] if result.created else plan)


def report_generation(request, result):
    if result.created:
        messages.success(request, ngettext("%(n)s ticket créé.", "%(n)s tickets créés.", len(result.created))
                         % {"n": len(result.created)})
    for _plan in result.waiting:
        messages.warning(request, _("Le ticket précédent de ce plan est encore ouvert : la prochaine date attend "
                                    "qu'il soit terminé."))
    for _plan, message in result.failed:
        messages.error(request, message)
    if not (result.created or result.waiting or result.failed):
        messages.info(request, _("Rien à créer : le plan est en pause, terminé, ou attend une réalisation."))


# --- Checklist ---------------------------------------------------------------------------
@login_required
@require_POST
def checklist_toggle(request, ticket_id, item_id):
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), ticket_id=ticket_id)
    item = get_object_or_404(ChecklistItem, pk=item_id, ticket=ticket)
    item.ticket = ticket
    try:
        checklist_tick(item=item, by=request.user, done=request.POST.get("done") == "1")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(reverse("web:ticket-detail", kwargs={"ticket_id": ticket.ticket_id}) + "#checklist")


# --- Calendar ----------------------------------------------------------------------------
MONTH, WEEK = "mois", "semaine"


def _parse_day(value, default):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


@login_required
def calendar(request):
    today = timezone.localdate()
    view = WEEK if request.GET.get("vue") == WEEK else MONTH
    anchor = _parse_day(request.GET.get("date"), today)
    filters = CalendarFilterForm(request.GET or None)
    data = filters.cleaned_or_empty()
    person_value = data.get("personne", "")
    person = filters.people.get(person_value)
    if view == MONTH:
        weeks = selectors.month_days(anchor.year, anchor.month)
        start, end = weeks[0][0], weeks[-1][-1]
        previous = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        following = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=6)
        weeks = [[start + timedelta(days=i) for i in range(7)]]
        previous, following = start - timedelta(days=7), start + timedelta(days=7)
    days = selectors.calendar_days(request.user, start=start, end=end, machine=data.get("machine"),
                                   person=person, team=person_value == TEAM_CHOICE)
    for day in days.values():
        day.in_month = view == WEEK or day.day.month == anchor.month
    kept = {k: v for k, v in request.GET.items() if k in ("machine", "personne", "vue") and v}
    context = {
        "view": view, "anchor": anchor, "today": today, "filters": filters,
        "weeks": [[days[d] for d in week] for week in weeks],
        "list_days": [d for d in days.values() if not d.empty and (view == WEEK or d.in_month)],
        "previous_url": "?" + urlencode({**kept, "date": previous.isoformat()}),
        "next_url": "?" + urlencode({**kept, "date": following.isoformat()}),
        "today_url": "?" + urlencode(kept),
        "month_url": "?" + urlencode({**kept, "vue": MONTH, "date": anchor.isoformat()}),
        "week_url": "?" + urlencode({**kept, "vue": WEEK, "date": anchor.isoformat()}),
        "can_schedule": policies.can_schedule(request.user),
        "back": request.get_full_path(),
        "weekdays": [date_format(start + timedelta(days=i), "D") for i in range(7)],
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "move_text": {"network": _("Pas de réponse du serveur : rien n'a changé. Réessayez.")},
    }
    return render(request, "planning/calendar.html", context)


def _local_next(source):
    """The page to come back to: only a path of this site."""
    back = source.get("next", "")
    return back if back.startswith("/") and not back.startswith("//") else ""


@login_required
def calendar_move_form(request, ticket_id):
    """The calendar's "Déplacer" link without JavaScript (or from the keyboard): choose the day, same move."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user).with_related(), ticket_id=ticket_id)
    if not policies.can_schedule(request.user, ticket):
        raise PermissionDenied(_("Vous n'avez pas le droit de planifier ce ticket."))
    return render(request, "planning/calendar_move.html", {
        "ticket": ticket, "next": _local_next(request.GET),
        "action": reverse("planning:calendar-move", kwargs={"ticket_id": ticket.ticket_id}),
        "day": timezone.localdate(ticket.scheduled_date) if ticket.scheduled_date else timezone.localdate()})


@login_required
@require_POST
def calendar_move(request, ticket_id):
    """Move a scheduled ticket to another day, keeping its hour (tickets.services.ticket_schedule: its rights,
    its timeline row). The calendar's drag asks for JSON; its small form (keyboard, no JavaScript) redirects."""
    as_json = "application/json" in request.headers.get("Accept", "")
    ticket = Ticket.objects.visible_to(request.user).filter(ticket_id=ticket_id).first()
    day = _parse_day(request.POST.get("day"), None)
    error = None
    if ticket is None:
        error, status = _("Ce ticket n'existe pas, ou vous n'y avez pas accès."), 404
    elif day is None:
        error, status = _("Choisissez un jour."), 400
    else:
        when = timezone.localtime(ticket.scheduled_date) if ticket.scheduled_date else None
        moment = timezone.make_aware(datetime.combine(day, when.time() if when else datetime.min.time().replace(
            hour=8)))
        try:
            ticket_services.ticket_schedule(ticket=ticket, by=request.user, scheduled_date=moment)
        except PermissionDenied as exc:
            error, status = str(exc), 403
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
    if as_json:
        if error:
            return JsonResponse({"ok": False, "error": error}, status=status)
        return JsonResponse({"ok": True, "message": _("%(ticket)s planifié le %(date)s.") % {
            "ticket": ticket.ticket_id, "date": date_format(timezone.localtime(ticket.scheduled_date),
                                                           "DATETIME_FORMAT")}})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Planifié le %(date)s.") % {
            "date": date_format(timezone.localtime(ticket.scheduled_date), "DATETIME_FORMAT")})
    return redirect(_local_next(request.POST) or reverse("planning:calendar"))


@login_required
def calendar_move_upcoming_form(request, pk, day):
    """The "Déplacer" link of a plan's next date without JavaScript (phone list, keyboard): same move."""
    plan = get_object_or_404(Plan.objects.select_related("machine"), pk=pk)
    if not policies.can_schedule(request.user):
        raise PermissionDenied(_("Vous n'avez pas le droit de planifier les tickets."))
    return render(request, "planning/calendar_move.html", {
        "plan": plan, "moment": plan.moment(day), "day": day, "next": _local_next(request.GET),
        "action": reverse("planning:calendar-move-plan", kwargs={"pk": plan.pk, "day": day})})


@login_required
@require_POST
def calendar_move_upcoming(request, pk, day):
    """Move a plan's next date (no ticket yet) to another day: its ticket is made now, on that day, at the
    plan's hour (planning.services.move_upcoming: generation as "Générer maintenant", then ticket_schedule).
    The drag asks for JSON (and reloads: the date became a ticket, the plan's next date moved on); the
    small form redirects."""
    as_json = "application/json" in request.headers.get("Accept", "")
    plan = Plan.objects.filter(pk=pk).first()
    error = ticket = None
    if plan is None:
        error, status = _("Ce plan n'existe plus : rechargez le calendrier."), 404
    else:
        try:
            ticket = services.move_upcoming(plan=plan, day=day, to_day=_parse_day(request.POST.get("day"), None),
                                            by=request.user)
        except PermissionDenied as exc:
            error, status = str(exc), 403
        except services.MoveConflict as exc:
            error, status = exc.message, 409
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
    if error:
        if as_json:
            return JsonResponse({"ok": False, "error": error}, status=status)
        messages.error(request, error)
    else:
        done = _("%(ticket)s créé et planifié le %(date)s.") % {
            "ticket": ticket.ticket_id, "date": date_format(timezone.localtime(ticket.scheduled_date),
                                                           "DATETIME_FORMAT")}
        # Shown by the page the drag reloads, as by the one the form comes back to.
        messages.success(request, done)
        if as_json:
            return JsonResponse({"ok": True, "message": done, "ticket": ticket.ticket_id, "reload": True})
    return redirect(_local_next(request.POST) or reverse("planning:calendar"))


# --- iCalendar feed -----------------------------------------------------------------------
@login_required
@require_POST
def feed_renew(request):
    """Create the person's private address, or replace it (the old one stops working at once)."""
    revoke = request.POST.get("revoke") == "1"
    CalendarFeed.objects.filter(user=request.user).delete()
    if revoke:
        messages.success(request, _("Adresse d'agenda révoquée."))
    else:
        CalendarFeed.objects.create(user=request.user, token=CalendarFeed.new_token())
        messages.success(request, _("Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus."))
    return redirect(reverse("planning:calendar") + "#agenda")


def feed_ics(request, token):
    """The person's work as iCalendar: no session (a phone's calendar fetches it), the secret URL is the key."""
    row = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if row is None or not constant_time_compare(row.token, token) or not row.user.is_active:
        raise Http404
    body = feed.build(row.user, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
