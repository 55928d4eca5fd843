"""The preferences form: one checkbox per kind × channel, and the quiet hours.

Field names are "<kind>:<channel>" (as in the one-click page of the e-mails), so
`choices()` hands `preferences.preference_set` exactly what it takes.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Kind


class PreferencesForm(forms.Form):
    channels = Channel.choices  # The table's columns, in the order of `rows()`.

    quiet_start = forms.TimeField(label=_("Début"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("Fin"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, preference, **kwargs):
        initial = {"quiet_start": preference.quiet_start, "quiet_end": preference.quiet_end}
        for kind, _label, on in preference.matrix():
            for channel, wanted in on.items():
                initial[self.key(kind, channel)] = wanted
        super().__init__(*args, initial=initial, **kwargs)
        for kind, kind_label in Kind.choices:
            for channel, channel_label in Channel.choices:
                self.fields[self.key(kind, channel)] = forms.BooleanField(
                    required=False, label=f"{kind_label} — {channel_label}")

    @staticmethod
    def key(kind, channel):
        return f"{kind}:{channel}"

    def rows(self):
        """[(kind label, [bound checkbox per channel])] for the table, in Channel order."""
        return [(label, [self[self.key(kind, channel)] for channel in Channel.values]) for kind, label in Kind.choices]

    def quiet_fields(self):
        return [self["quiet_start"], self["quiet_end"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in self.errors or "quiet_end" in self.errors:
            return data
        if (start is None) != (end is None):
            raise forms.ValidationError(
                _("Indiquez le début et la fin des heures de silence, ou aucun des deux."), code="quiet_half")
        if start is not None and start == end:
            raise forms.ValidationError(
                _("Le début et la fin des heures de silence doivent être différents."), code="quiet_empty")
        return data

    def choices(self):
        return {(kind, channel): self.cleaned_data[self.key(kind, channel)]
                for kind in Kind.values for channel in Channel.values}
