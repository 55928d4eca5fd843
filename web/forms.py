"""The forms of the technicians' pages.

They only parse and label what people type; every rule (who may, which move is
allowed, which file is a photo) is checked by `tickets.services`, which the
views call with the cleaned values.
"""
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import signin_limit
from accounts.models import User
from tickets import policies
from tickets.models import Machine, Ticket

# What a phone offers for "take a photo or a video, or pick one".
MEDIA_ACCEPT = "image/*,video/*"
TEAM_CHOICE = "team"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>; each checked like a FileField
    (an empty file is refused by name). The content checks are `media_add_many`'s."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return super().clean(None, initial)
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                errors += [gettext("« %(name)s » : %(reason)s") % {"name": upload.name, "reason": message}
                           for message in exc.messages] if len(files) > 1 else exc.messages
        if errors:
            raise ValidationError(errors)
        return cleaned


class MediaFields(forms.Form):
    """Two ways to attach: the camera straight away (one photo), or several files already on the phone.

    `capture` opens the camera directly but then offers nothing else and takes one photo,
    so it has its own control; the other has no `capture`, so a phone offers camera,
    gallery and files, and takes several at once.
    """

    camera = forms.FileField(
        label=_("Prendre une photo"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = MultipleFileField(
        label=_("Choisir des photos ou des vidéos"), required=False,
        widget=MultipleFileInput(attrs={"accept": MEDIA_ACCEPT, "multiple": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = media_help_text()
        # The page's script warns before sending more than the server would take (data-max-*).
        self.fields["file"].widget.attrs.update({
            "data-max-files": settings.MEDIA_MAX_FILES_PER_UPLOAD,
            "data-max-bytes": settings.MEDIA_MAX_UPLOAD_BYTES,
            "data-too-many": gettext("Trop de fichiers : %(max)s au plus par envoi.") % {
                "max": settings.MEDIA_MAX_FILES_PER_UPLOAD},
            "data-too-big": gettext("Fichiers trop volumineux ensemble : %(cap)s au plus par envoi. "
                                    "Envoyez-les en plusieurs fois.") % {
                "cap": filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)},
        })

    def uploads(self):
        return [f for f in [self.cleaned_data.get("camera"), *(self.cleaned_data.get("file") or [])] if f]


def media_help_text():
    return gettext("Jusqu'à %(n)s fichiers à la fois, %(total)s en tout ; une photo %(photo)s au plus, "
                   "une vidéo %(video)s.") % {
        "n": settings.MEDIA_MAX_FILES_PER_UPLOAD, "total": filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES),
        "photo": filesizeformat(settings.MEDIA_MAX_PHOTO_BYTES),
        "video": filesizeformat(settings.MEDIA_MAX_VIDEO_BYTES)}


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

    def tickets_for(self, user):
        """The tickets the board shows `user` with these filters (the board and its CSV export share it).

        "Tous / les miens / signalés par moi" only means something to those who see every ticket.
        """
        from .selectors import board_queryset

        data = self.cleaned_or_empty()
        view = data.get("vue") if user.has_perm("tickets.view_all_tickets") else ""
        return board_queryset(
            user, mine=view == self.VIEW_MINE, reported=view == self.VIEW_REPORTED, machine=data.get("machine"),
            priority=data.get("priorite", ""), search=data.get("q", ""),
        )


class ReportForm(MediaFields):
    """Report a problem; those allowed to dispatch also assign and schedule it at once (`user=` decides)."""

    field_order = ["machine", "machine_stopped", "title", "description", "priority", "camera", "file", "assignee",
                   "scheduled_date"]

    machine = forms.ModelChoiceField(label=_("Machine"), queryset=Machine.objects.all(),
                                     empty_label=_("Choisissez la machine"))
    # « Machine à l'arrêt »: the machine goes « Hors service » with the ticket, through
    # machines.services.machine_set_status (its status history names the ticket).
    machine_stopped = forms.BooleanField(
        # Not "Machine à l'arrêt": the form's "Machine" field keeps a label no other control shares.
        label=_("À l'arrêt"), required=False,
        help_text=_("La machine ne tourne plus : elle passe « Hors service » avec ce signalement."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_machine_stopped_helptext"}))
    title = forms.CharField(label=_("Titre"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("Ex. : bruit anormal au démarrage")}))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(label=_("Priorité"), choices=Ticket.Priority.choices,
                                 initial=Ticket.Priority.MEDIUM)
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


class MediaForm(MediaFields):
    """The ticket page's upload: at least one file, from either control."""

    def clean(self):
        data = super().clean()
        if not self.errors and not self.uploads():
            raise forms.ValidationError(_("Choisissez une photo ou une vidéo."))
        return data


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
