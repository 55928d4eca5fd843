"""The forms of the technicians' pages.

They only parse and label what people type; every rule (who may, which move is
allowed, which file is a photo) is checked by `tickets.services`, which the
views call with the cleaned values.
"""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import signin_limit
from accounts.models import User
from tickets import policies
from tickets.models import Machine, Ticket

# What a phone offers for "take a photo or a video, or pick one".
MEDIA_ACCEPT = "image/*,video/*"
TEAM_CHOICE = "team"


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse courriel"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Adresse courriel ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    def get_invalid_login_error(self):
        # Locked by the sign-in limit: say so, and when to try again, rather than "wrong password".
        if signin_limit.is_locked_out(self.request):
            message = signin_limit.lockout_message(signin_limit.seconds_locked(self.request))
            return ValidationError(message, code="locked_out")
        return super().get_invalid_login_error()


class BoardFilterForm(forms.Form):
    """The board's query string: ?vue=mine&machine=3&priorite=high&q=graisse (vue: all, mine, reported)."""

    VIEW_ALL, VIEW_MINE, VIEW_REPORTED = "all", "mine", "reported"

    vue = forms.ChoiceField(
        label=_("Tickets"), required=False,
        choices=[(VIEW_ALL, _("Tous")), (VIEW_MINE, _("Les miens")), (VIEW_REPORTED, _("Signalés par moi"))],
    )
    machine = forms.ModelChoiceField(
        label=_("Machine"), required=False, queryset=Machine.objects.all(), empty_label=_("Toutes"),
    )
    priorite = forms.ChoiceField(
        label=_("Priorité"), required=False, choices=[("", _("Toutes")), *Ticket.Priority.choices],
    )
    q = forms.CharField(
        label=_("Rechercher"), required=False, max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Numéro, mot, machine…")}),
    )

    def cleaned_or_empty(self):
        return self.cleaned_data if self.is_valid() else {}


class ReportForm(forms.Form):
    """Report a problem; those allowed to dispatch also assign and schedule it at once (`user=` decides)."""

    machine = forms.ModelChoiceField(label=_("Machine"), queryset=Machine.objects.all(),
                                     empty_label=_("Choisissez la machine"))
    title = forms.CharField(label=_("Titre"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("Ex. : bruit anormal au démarrage")}))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(label=_("Priorité"), choices=Ticket.Priority.choices,
                                 initial=Ticket.Priority.MEDIUM)
    photo = forms.FileField(label=_("Photo ou vidéo (facultative)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": MEDIA_ACCEPT}))
    assignee = forms.ChoiceField(label=_("Assigner à"), required=False)
    scheduled_date = forms.DateTimeField(
        label=_("Date planifiée"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de l'usine. Facultative."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.technicians = {}
        if user is not None and policies.can_assign(user):
            self.technicians, self.fields["assignee"].choices = assignee_choices()
        else:
            del self.fields["assignee"]
        if user is None or not policies.can_schedule(user):
            del self.fields["scheduled_date"]

    def assignment(self):
        """(technician, team), or None when nobody was chosen (the ticket stays unassigned)."""
        value = self.cleaned_data.get("assignee") or ""
        if not value:
            return None
        return (None, True) if value == TEAM_CHOICE else (self.technicians.get(value), False)


class TicketEditForm(forms.Form):
    """What the ticket says (title, description, priority, machine); the service writes one history line per change."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(label=_("Priorité"), choices=Ticket.Priority.choices)
    machine = forms.ModelChoiceField(label=_("Machine"), queryset=Machine.objects.all())

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None and not self.is_bound:
            self.initial.update(title=ticket.title, description=ticket.description, priority=ticket.priority,
                                machine=ticket.machine_id)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Votre commentaire"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class MediaForm(forms.Form):
    """Two ways to attach: the camera straight away, or a file already on the phone."""

    camera = forms.FileField(
        label=_("Prendre une photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = forms.FileField(
        label=_("Choisir une photo ou une vidéo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": MEDIA_ACCEPT}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("camera") and not data.get("file"):
            raise forms.ValidationError(_("Choisissez une photo ou une vidéo."))
        return data

    def uploads(self):
        return [f for f in (self.cleaned_data.get("camera"), self.cleaned_data.get("file")) if f]


def assignee_choices():
    """({pk: technician}, choices): nobody, the whole team, or one technician."""
    technicians = {str(u.pk): u for u in User.objects.technicians()}
    return technicians, [
        ("", _("Personne")),
        (TEAM_CHOICE, _("Équipe complète")),
        *[(pk, str(u)) for pk, u in technicians.items()],
    ]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigner à"), required=False)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.technicians, self.fields["assignee"].choices = assignee_choices()
        if ticket is not None and not self.is_bound:
            if ticket.assigned_to_team:
                self.initial["assignee"] = TEAM_CHOICE
            elif ticket.assigned_to_id:
                self.initial["assignee"] = str(ticket.assigned_to_id)

    def assignment(self):
        """(technician, team) as `services.ticket_assign` takes them."""
        value = self.cleaned_data.get("assignee") or ""
        if value == TEAM_CHOICE:
            return None, True
        return self.technicians.get(value), False


class ScheduleForm(forms.Form):
    # A naive value from <input type=datetime-local> is read in the factory's time zone.
    scheduled_date = forms.DateTimeField(
        label=_("Date planifiée"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de l'usine. Laissez vide pour retirer la planification."),
    )
