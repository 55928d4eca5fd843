"""The technicians' pages: sign-in, the board, a ticket, report a problem.

Views stay thin: they parse a form, call `tickets.services` (which checks the
person's rights again and raises French errors) and redirect, so every action
works as a plain form post without JavaScript; htmx only swaps the page in
place. Who sees which button comes from `tickets.policies`, never a template.
"""
from contextlib import contextmanager
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from accounts import signin_limit
from igp_maintenance.middleware import remember_language
from machines.services import machine_set_status
from notifications import push
from notifications.bell import bell_state
from planning import selectors as planning_selectors
from tickets import policies, services
from tickets.downloads import media_file_response, thumbnail_response
from tickets.models import Machine, Ticket

from . import board_moves, selectors
from .forms import (
    AssignForm,
    BoardFilterForm,
    CommentForm,
    LoginForm,
    MediaForm,
    ReportForm,
    ScheduleForm,
    TicketEditForm,
)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        """A sign-in refused by the limit is the form again, with the message, as a 429."""
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "locked_out"):
            response.status_code = 429
            response["Retry-After"] = str(signin_limit.seconds_locked(self.request))
        return response

    def form_valid(self, form):
        """The person's saved language follows him to this device, down to the sign-in page after sign-out."""
        response = super().form_valid(form)
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            _set_language_cookie(response, language)
        return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the button in the header is a small form.

    Signing out leaves nothing of the person on the device: this device's push
    subscription is forgotten (its endpoint comes with the form, filled in by
    static/js/pwa.js), and `Clear-Site-Data` makes the browser empty its caches and
    storage, which also unregisters the service worker and its push subscription
    (the next page registers a fresh one). Cookies are not cleared: the language stays.
    """

    def post(self, request, *args, **kwargs):
        user, endpoint = request.user, request.POST.get("push_endpoint", "")
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated and endpoint:
            push.unsubscribe(user=user, endpoint=endpoint)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def _set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def language(request):
    """The switch in the header: Django's `set_language` (cookie, back to the same page), and for a
    signed-in person the choice saved on his account, so it follows him to every device."""
    response = i18n_views.set_language(request)
    remember_language(request, request.POST.get(i18n_views.LANGUAGE_QUERY_PARAMETER, ""))
    return response


# --- Board ---------------------------------------------------------------------
BOARD_QUERY_KEY = "board_query"


def board_url(request):
    """The board as the person last left it (filters, view, column)."""
    query = request.session.get(BOARD_QUERY_KEY, "")
    return reverse("web:board") + (f"?{query}" if query else "")


@login_required
def board(request):
    now = timezone.now()
    filters = BoardFilterForm(request.GET or None)
    data = filters.cleaned_or_empty()
    sees_all = request.user.has_perm("tickets.view_all_tickets")
    view = data.get("vue") if sees_all else ""
    tickets = filters.tickets_for(request.user)
    # The open board asks every BOARD_POLL_SECONDS whether what it shows changed: nothing → an empty 204
    # (one aggregate query), else only the live part, drawn by the same template as the page.
    version = selectors.board_version(tickets, now=now)
    # The person's bell is part of what the open board shows: a new notification (or one read
    # elsewhere) redraws the live part, whose poll answer redraws the bell too. Same query as the
    # header's count (notifications.bell.bell_state is read once per request).
    bell = bell_state(request)
    if bell is not None:
        version = f"{version}.{bell.fingerprint}"
    polled = POLL_HEADER in request.headers
    if polled and request.headers[POLL_HEADER] == version:
        return _poll_response(HttpResponse(status=204))
    kept = {k: v for k, v in request.GET.items() if k in filters.fields and v}
    context = {
        "filters": filters,
        "sees_all": sees_all,
        "view": view,
        "query_all": urlencode({**kept, "vue": BoardFilterForm.VIEW_ALL}),
        "query_mine": urlencode({**kept, "vue": BoardFilterForm.VIEW_MINE}),
        "query_reported": urlencode({**kept, "vue": BoardFilterForm.VIEW_REPORTED}),
        "query_kept": urlencode(kept),
        "filtered": any(k != "vue" for k in kept),
        "filter_count": sum(k != "vue" for k in kept),
        "can_report": policies.can_report(request.user),
        "waiting": Ticket.WAITING_STATUSES,
    }
    context.update(version=version, drawn_at=now.isoformat(), poll_seconds=settings.BOARD_POLL_SECONDS)
    # Remembered for "← Retour au tableau" on a ticket: the person comes back to the same filters.
    if not polled and request.session.get(BOARD_QUERY_KEY, "") != request.GET.urlencode():
        request.session[BOARD_QUERY_KEY] = request.GET.urlencode()
    status = request.GET.get("colonne", "")
    # Drag and drop between the columns (and its keyboard menu) for those who may move tickets.
    context["movable"] = policies.can_move(request.user)
    if status in Ticket.Status.values:
        context["column"] = selectors.Column(status=status, label=Ticket.Status(status).label)
        context["page"] = selectors.column_page(tickets, status=status, now=now, page_number=request.GET.get("page"))
        context["column"].count = context["page"].paginator.count
    else:
        context["columns"] = selectors.board_columns(tickets, now=now)
    # The PRÉVENTIF badge's style comes with the cards that need it (planning.css), not with every board.
    cards = context["page"].object_list if "page" in context else [t for c in context["columns"] for t in c.tickets]
    context["preventive_css"] = any(t.preventive for t in cards)
    if polled:
        context["assigned_to_me"] = _assigned_since(request)
        context["bell_oob"] = True
        return _poll_response(render(request, "web/_board_live.html", context))
    if "columns" in context:
        context["move_settings"] = board_moves.settings_for(request.user)
    return render(request, "web/board.html", context)


POLL_HEADER = "X-Board-Version"
DRAWN_AT_HEADER = "X-Board-Drawn-At"


def _assigned_since(request):
    """Tickets given to the viewer since his board was drawn (the moment his page sends back)."""
    try:
        since = datetime.fromisoformat(request.headers.get(DRAWN_AT_HEADER, ""))
    except ValueError:
        return []
    if timezone.is_naive(since):
        return []
    return selectors.newly_assigned(request.user, since=since)


def _poll_response(response):
    """A poll's answer is a piece of the page: never cached, never shown for the page's own address."""
    add_never_cache_headers(response)
    patch_vary_headers(response, [POLL_HEADER])
    return response


# --- Ticket page -------------------------------------------------------------------
def _visible_ticket(request, ticket_id):
    """The ticket if this person may see it; a 404 otherwise, so ids of others' tickets leak nothing."""
    return get_object_or_404(Ticket.objects.visible_to(request.user).with_related().select_related("occurrence__plan"),
                             ticket_id=ticket_id)


def _describe(entry):
    """Timeline values in words (TimelineEntry.words), with the page's longer date format."""
    entry.old_words = entry.words(entry.old_value, date_style="DATETIME_FORMAT")
    entry.new_words = entry.words(entry.new_value, date_style="DATETIME_FORMAT")
    return entry


S = Ticket.Status
# The usual way forward from each status: its button is the filled one. The work
# goes on (Diagnostic → En cours → Terminé); waiting for parts ends when work resumes.
NEXT_STEP = {
    S.RECEIVED: S.DIAGNOSTIC, S.DIAGNOSTIC: S.IN_PROGRESS, S.IN_PROGRESS: S.COMPLETED,
    S.WAITING_PARTS: S.IN_PROGRESS, S.COMPLETED: S.ARCHIVED,
}
# How far the work has gone: waiting for parts is a pause beside "in progress", not a step.
WORK_RANK = {S.RECEIVED: 0, S.DIAGNOSTIC: 1, S.IN_PROGRESS: 2, S.WAITING_PARTS: 2, S.COMPLETED: 3, S.ARCHIVED: 4}


def status_moves(user, ticket):
    """[(status, label, is_main)]: the next forward step first and filled, then the other moves
    forward or aside, then the steps back, so the obvious tap is never a step backwards."""
    allowed = list(policies.allowed_moves(user, ticket))
    here = WORK_RANK[ticket.status]
    main = NEXT_STEP.get(ticket.status) if NEXT_STEP.get(ticket.status) in allowed else None
    back = [s for s in allowed if WORK_RANK[s] < here and s != main]
    ordered = ([main] if main else []) + [s for s in allowed if s != main and s not in back] + back
    return [(status, S(status).label, status == main) for status in ordered]


def _alert_history(ticket):
    """The webhook deliveries of this ticket (notifications app), if that app offers them yet."""
    try:
        from notifications.selectors import alert_history
    except ImportError:
        return None
    return list(alert_history(ticket, limit=20))


PENDING_FORM_KEY = "ticket_form_errors"
TICKET_FORMS = {"comment": CommentForm, "media": MediaForm, "assign": AssignForm, "schedule": ScheduleForm}
FORM_ANCHORS = {"comment": "commentaires", "media": "photos", "assign": "h-dispatch", "schedule": "h-dispatch"}


def post_or_back_to_ticket(view):
    """An action address opened with GET (a reload, Back, a shared link) shows the ticket, never a 405."""
    @wraps(view)
    def wrapper(request, ticket_id, *args, **kwargs):
        if request.method != "POST":
            return redirect("web:ticket-detail", ticket_id=ticket_id)
        return view(request, ticket_id, *args, **kwargs)
    return wrapper


def _back_with_errors(request, ticket, name, form):
    """Post-redirect-get for a refused form: the errors and what was typed wait in the session, and the
    browser lands on the ticket's own address, which a reload or Back can open again."""
    request.session[PENDING_FORM_KEY] = {
        "ticket": ticket.ticket_id, "form": name,
        "data": {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
        "errors": form.errors.get_json_data(),
    }
    return redirect(reverse("web:ticket-detail", kwargs={"ticket_id": ticket.ticket_id}) + "#" + FORM_ANCHORS[name])


def _pending_forms(request, ticket):
    """The refused form of the previous request, bound again with its text and its errors."""
    pending = request.session.pop(PENDING_FORM_KEY, None)
    if not pending or pending.get("ticket") != ticket.ticket_id or pending.get("form") not in TICKET_FORMS:
        return {}
    form_class = TICKET_FORMS[pending["form"]]
    kwargs = {"ticket": ticket} if form_class is AssignForm else {}
    form = form_class(pending["data"], **kwargs)
    form.cleaned_data = {}
    form._errors = ErrorDict()
    for name, errors in pending["errors"].items():
        for error in errors:
            form.add_error(None if name == NON_FIELD_ERRORS else name,
                           ValidationError(error["message"], code=error["code"] or None))
    return {pending["form"]: form}


def mark_errors(form):
    """Point people and screen readers at what to fix: every field in error says so (aria-invalid,
    aria-describedby its message) and the first one takes the focus, which scrolls it into view."""
    form.errors_id = f"{type(form).__name__.lower()}_errors"
    first = True
    for name in form.fields:
        bound = form[name]
        if not bound.errors and not (first and form.non_field_errors()):
            continue
        attrs = form.fields[name].widget.attrs
        described = [f"{bound.auto_id}_error" if bound.errors else form.errors_id]
        if bound.help_text:
            described.append(f"{bound.auto_id}_helptext")
        attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})
        if first:
            attrs["autofocus"] = True
            first = False
    return form


@login_required
def ticket_detail(request, ticket_id, *, forms=None):
    ticket = _visible_ticket(request, ticket_id)
    now = timezone.now()
    user = request.user
    forms = forms or _pending_forms(request, ticket)
    for form in forms.values():
        mark_errors(form)
    media = list(ticket.media.all())  # One query, thumbnails' names and sizes included.
    for item in media:
        item.can_delete = policies.can_delete_media(user, item, ticket)
    context = {
        "ticket": ticket,
        "board_url": board_url(request),
        "delay": ticket.overdue_delay(now),
        "waiting": Ticket.WAITING_STATUSES,
        "moves": status_moves(user, ticket),
        "can_comment": policies.can_comment(user, ticket),
        "can_upload": policies.can_upload(user, ticket),
        "can_assign": policies.can_assign(user, ticket),
        "can_take": policies.can_take(user, ticket),
        "can_edit": policies.can_edit(user, ticket),
        "can_delete": policies.can_delete(user, ticket),
        "can_schedule": policies.can_schedule(user, ticket),
        "can_view_alerts": policies.can_view_alerts(user, ticket),
        "media": media,
        "comments": ticket.comments.select_related("author"),
        "timeline": [_describe(e) for e in ticket.timeline.select_related("actor")],
    }
    context.update(planning_selectors.ticket_context(user, ticket))  # A preventive ticket's plan and checklist.
    if context["can_comment"]:
        context["comment_form"] = forms.get("comment") or CommentForm()
    if context["can_upload"]:
        context["media_form"] = forms.get("media") or MediaForm()
    if context["can_assign"]:
        context["assign_form"] = forms.get("assign") or AssignForm(ticket=ticket)
    if context["can_schedule"]:
        context["schedule_form"] = forms.get("schedule") or ScheduleForm(
            initial={"scheduled_date": ticket.scheduled_date})
    if context["can_view_alerts"]:
        context["alerts"] = _alert_history(ticket)
    return render(request, "web/ticket_detail.html", context)


@contextmanager
def _errors_as_messages(request):
    """Show what the services refuse as a message on the page the person comes back to."""
    try:
        yield
    except (PermissionDenied, ValidationError, services.ConflictError) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)


@login_required
@post_or_back_to_ticket
def ticket_move(request, ticket_id):
    """The status buttons of the ticket page (a form: redirect and message) and the board's drag and
    drop (`Accept: application/json`: a JSON verdict, see web/board_moves.py)."""
    as_json = board_moves.wants_json(request)
    try:
        ticket = _visible_ticket(request, ticket_id)
    except Http404:
        if as_json:
            return board_moves.refused(404, _("Ce ticket n'existe pas, ou vous n'y avez pas accès."))
        raise
    seen = request.POST.get("from_status", "")
    if seen in Ticket.Status.values:
        # Compare with what the person saw: if someone moved it since, the
        # service's conditional update changes nothing and says so.
        ticket.status = seen
    if as_json:
        return board_moves.answer(request, ticket)
    with _errors_as_messages(request):
        services.ticket_move(ticket=ticket, to_status=request.POST.get("status", ""), by=request.user,
                             confirm_unchecked=request.POST.get("confirm_unchecked") == "1")
        messages.success(request, _("Statut changé : %(status)s.") % {"status": ticket.get_status_display()})
    return redirect(ticket)


@login_required
@post_or_back_to_ticket
def ticket_assign(request, ticket_id):
    ticket = _visible_ticket(request, ticket_id)
    form = AssignForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return _back_with_errors(request, ticket, "assign", form)
    technician, team = form.assignment()
    with _errors_as_messages(request):
        services.ticket_assign(ticket=ticket, by=request.user, technician=technician, team=team)
        label = ticket.assignee_label or _("personne")
        messages.success(request, _("Ticket assigné à %(who)s.") % {"who": label})
    return redirect(ticket)


@login_required
@post_or_back_to_ticket
def ticket_take(request, ticket_id):
    ticket = _visible_ticket(request, ticket_id)
    with _errors_as_messages(request):
        services.ticket_take(ticket=ticket, by=request.user)
        messages.success(request, _("Le ticket est à vous."))
    return redirect(ticket)


@login_required
def ticket_edit(request, ticket_id):
    """Its own page rather than a form on the ticket's: a whole phone screen for the text, and the ticket
    page keeps its query budget (the machine list is read only here). A refused form comes back on this
    same address, which a reload opens again."""
    ticket = _visible_ticket(request, ticket_id)
    if not policies.can_edit(request.user, ticket):
        raise PermissionDenied(_("Vous n'avez pas le droit de modifier ce ticket."))
    form = TicketEditForm(request.POST or None, ticket=ticket)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_update(ticket=ticket, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Ticket modifié."))
            return redirect(ticket)
    return render(request, "web/ticket_edit.html", {"ticket": ticket, "form": mark_errors(form)},
                  status=400 if form.errors else 200)


@login_required
def ticket_delete(request, ticket_id):
    """GET asks "are you sure?" on a page of its own (works without JavaScript); POST deletes."""
    ticket = _visible_ticket(request, ticket_id)
    if not policies.can_delete(request.user, ticket):
        raise PermissionDenied(_("Vous n'avez pas le droit de supprimer ce ticket."))
    if request.method == "POST":
        number = ticket.ticket_id
        services.ticket_delete(ticket=ticket, by=request.user)
        messages.success(request, _("Ticket %(id)s supprimé.") % {"id": number})
        return redirect(board_url(request))
    return render(request, "web/ticket_delete.html", {
        "ticket": ticket, "comments": ticket.comments.count(), "media": ticket.media.count()})


@login_required
@post_or_back_to_ticket
def ticket_schedule(request, ticket_id):
    ticket = _visible_ticket(request, ticket_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _back_with_errors(request, ticket, "schedule", form)
    with _errors_as_messages(request):
        services.ticket_schedule(ticket=ticket, by=request.user, scheduled_date=form.cleaned_data["scheduled_date"])
        if ticket.scheduled_date:
            messages.success(request, _("Planifié le %(date)s.") % {
                "date": date_format(timezone.localtime(ticket.scheduled_date), "DATETIME_FORMAT")})
        else:
            messages.success(request, _("Planification retirée."))
    return redirect(ticket)


@login_required
@post_or_back_to_ticket
def comment_add(request, ticket_id):
    ticket = _visible_ticket(request, ticket_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _back_with_errors(request, ticket, "comment", form)
    try:
        services.comment_add(ticket=ticket, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as exc:
        form.add_error("body", exc.messages)
        return _back_with_errors(request, ticket, "comment", form)
    except (PermissionDenied, services.ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Commentaire ajouté."))
    return redirect(reverse("web:ticket-detail", kwargs={"ticket_id": ticket.ticket_id}) + "#commentaires")


@login_required
@post_or_back_to_ticket
def media_upload(request, ticket_id):
    """Several files at once, all kept or none (`media_add_many`): a refusal names each bad file."""
    ticket = _visible_ticket(request, ticket_id)
    form = MediaForm(request.POST, request.FILES)
    if not form.is_valid():
        return _back_with_errors(request, ticket, "media", form)
    uploads = form.uploads()
    try:
        added = services.media_add_many(ticket=ticket, uploads=uploads, by=request.user)
    except ValidationError as exc:
        form.add_error("file" if form.cleaned_data.get("file") else "camera", _media_refusal(exc, uploads))
        return _back_with_errors(request, ticket, "media", form)
    except (PermissionDenied, services.ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _added_message(added))
    return redirect(reverse("web:ticket-detail", kwargs={"ticket_id": ticket.ticket_id}) + "#photos")


def _added_message(added):
    if len(added) == 1:
        return _("Fichier ajouté : %(name)s.") % {"name": added[0].original_name}
    return ngettext("%(n)s fichier ajouté : %(names)s.", "%(n)s fichiers ajoutés : %(names)s.", len(added)) % {
        "n": len(added), "names": ", ".join(m.original_name for m in added)}


def _media_refusal(exc, uploads, *, reporting=False):
    """The service's reasons, each naming its file, then what happens now: nothing was kept,
    and a browser cannot keep chosen files across a sending, so they are to be chosen again."""
    reasons = exc.message_dict.get("file", exc.messages) if hasattr(exc, "error_dict") else exc.messages
    if reporting:
        reasons.append(_("Le signalement n'est pas encore envoyé et votre texte est conservé : choisissez "
                         "de nouveau les photos ou vidéos (sans celles refusées), puis envoyez."))
    elif len(uploads) > 1:
        reasons.append(_("Aucun fichier n'a été enregistré : choisissez-les de nouveau, sans ceux refusés."))
    return reasons


@login_required
def media_file(request, ticket_id, media_id):
    """A photo or video, to those who may see its ticket (files are never public)."""
    ticket = _visible_ticket(request, ticket_id)
    media = get_object_or_404(ticket.media, pk=media_id)
    return media_file_response(media, as_attachment=request.GET.get("telecharger") == "1")


@login_required
def media_thumbnail(request, ticket_id, media_id):
    """A photo's thumbnail, with the same rights as the photo."""
    ticket = _visible_ticket(request, ticket_id)
    return thumbnail_response(get_object_or_404(ticket.media, pk=media_id))


@login_required
def media_delete(request, ticket_id, media_id):
    """GET asks "remove this file?" on a page of its own (works without JavaScript); POST removes it."""
    ticket = _visible_ticket(request, ticket_id)
    media = get_object_or_404(ticket.media, pk=media_id)
    if not policies.can_delete_media(request.user, media, ticket):
        raise PermissionDenied(_("Vous ne pouvez supprimer que les fichiers que vous avez ajoutés."))
    if request.method == "POST":
        services.media_delete(media=media, by=request.user)
        messages.success(request, _("Fichier supprimé : %(name)s.") % {"name": media.original_name})
        return redirect(reverse("web:ticket-detail", kwargs={"ticket_id": ticket.ticket_id}) + "#photos")
    return render(request, "web/media_delete.html", {"ticket": ticket, "media": media})


# --- Report a problem -------------------------------------------------------------------
@login_required
def report(request):
    if not policies.can_report(request.user):
        raise PermissionDenied(_("Vous n'avez pas le droit de signaler un problème."))
    # ?machine=<pk>: a scanned QR label (machines:scan) comes with its machine already chosen.
    chosen = request.GET.get("machine", "")
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"machine": chosen} if chosen.isdigit() else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = form.uploads()
        try:
            # The files first: a refused one is said before any ticket exists.
            checked = services.media_check(uploads) if uploads else []
            with transaction.atomic():
                ticket = services.ticket_create(
                    reporter=request.user, machine=data["machine"], title=data["title"],
                    description=data["description"], priority=data["priority"],
                )
                # Through the same services as on the ticket page, so the history has its lines.
                if "assignee" in form.fields and form.assignment():
                    technician, team = form.assignment()
                    services.ticket_assign(ticket=ticket, by=request.user, technician=technician, team=team)
                if data.get("scheduled_date"):
                    services.ticket_schedule(ticket=ticket, by=request.user, scheduled_date=data["scheduled_date"])
                if checked:
                    services.media_add_many(ticket=ticket, checked=checked, by=request.user)
                if data.get("machine_stopped"):
                    machine_set_status(machine=ticket.machine, status=Machine.Status.OUT_OF_SERVICE,
                                       by=request.user, ticket=ticket, note=ticket.title)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                field = "file" if data.get("file") else "camera"
                form.add_error(field, _media_refusal(exc, uploads, reporting=True))
            elif hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    name = {"assigned_to": "assignee"}.get(name, name)
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Ticket %(id)s créé. Merci !") % {"id": ticket.ticket_id})
            return redirect(ticket)
    return render(request, "web/report.html", {"form": mark_errors(form)}, status=400 if form.errors else 200)
