"""Pages of the notifications app for people (not the API): the bell, its list, the preferences.

Every page works as plain links and forms (no JavaScript needed); htmx only
opens the bell's list as a panel under the header (`panel`, the same list as
`inbox`).

- `inbox` (/notifications/) — the person's last 50, newest first, unread in
  bold; "mark all read".
- `notification_open` (/notifications/<id>/) — a link, so it opens in a new tab
  and without JavaScript: marks it read and goes to its ticket or conversation.
  A GET that writes, on purpose: it only ever marks the person's own item read,
  the same thing looking at it does in every mail reader.
- `preferences` (/notifications/preferences/) — per kind × channel, quiet
  hours; saved by `preferences.preference_set`.
- `preferences_by_token` — the one-click link of every e-mail: it opens the
  preferences of the person the signed token names, without signing in (the
  token is the proof: it came in their mailbox). `?kind=` (the e-mail's kind)
  offers to stop that kind by e-mail in one click, with an undo. The switch is
  a POST: mail scanners open links, and must not unsubscribe anybody.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from . import bell
from .forms import PreferencesForm
from .models import Channel, Kind
from .preferences import preference_for, preference_set, preference_switch, read_preferences_token


# --- The bell ------------------------------------------------------------------------------
@login_required
@never_cache
def inbox(request):
    return render(request, "notifications/inbox.html", {"notifications": bell.recent(request.user)})


@login_required
@never_cache
def panel(request):
    """The same list, as the piece htmx drops under the bell."""
    return render(request, "notifications/_panel.html", {"notifications": bell.recent(request.user)})


@login_required
def notification_open(request, pk):
    return redirect(bell.notification_open(user=request.user, pk=pk, now=timezone.now()))


@login_required
@require_POST
def read_all(request):
    if bell.notifications_read_all(user=request.user, now=timezone.now()):
        messages.success(request, _("Toutes vos notifications sont lues."))
    return redirect("notifications:inbox")


# --- Preferences ------------------------------------------------------------------------------
def _save(request, user, form):
    preference_set(user=user, choices=form.choices(), quiet_start=form.cleaned_data["quiet_start"],
                   quiet_end=form.cleaned_data["quiet_end"], now=timezone.now())


@login_required
@never_cache
def preferences(request):
    form = PreferencesForm(request.POST or None, preference=preference_for(request.user))
    if request.method == "POST" and form.is_valid():
        _save(request, request.user, form)
        messages.success(request, _("Préférences enregistrées."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form},
                  status=400 if form.errors else 200)


KIND_LABELS = dict(Kind.choices)


@never_cache
@csrf_protect
def preferences_by_token(request, token):
    user, problem = read_preferences_token(token)
    if user is None:
        return render(request, "notifications/preferences_token.html", {"problem": problem},
                      status=410 if problem == "expired" else 404)
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    context = {"person": user, "token": token, "kind": kind, "kind_label": KIND_LABELS.get(kind, "")}
    status = 200
    if request.method == "POST" and request.POST.get("switch") in ("off", "on") and kind:
        # The one-click switch and its undo: only this kind, only by e-mail.
        preference_switch(user=user, kind=kind, channel=Channel.EMAIL, on=request.POST["switch"] == "on",
                          now=timezone.now())
        context["switched"] = request.POST["switch"]
        form = PreferencesForm(preference=preference_for(user))
    elif request.method == "POST":
        form = PreferencesForm(request.POST, preference=preference_for(user))
        if form.is_valid():
            _save(request, user, form)
            context["saved"] = True
            form = PreferencesForm(preference=preference_for(user))
        else:
            status = 400
    else:
        form = PreferencesForm(preference=preference_for(user))
    if kind:
        context["email_on"] = form.initial.get(PreferencesForm.key(kind, Channel.EMAIL), False)
    context["form"] = form
    return render(request, "notifications/preferences_token.html", context, status=status)
