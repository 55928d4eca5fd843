from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Machine


class PeriodForm(forms.Form):
    """?du=2025-11-01&au=2025-11-30: whole days in factory time, `au` included. 30 days to today by default."""

    DEFAULT_DAYS = 30

    du = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("Au (inclus)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            raise forms.ValidationError(_("La date de début est après la date de fin."))
        return data

    def bounds(self, *, now):
        """(start, end, first_day, last_day): aware instants, end exclusive (midnight after `au`)."""
        today = timezone.localdate(now)
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("au") or today
        first = data.get("du") or last - timedelta(days=self.DEFAULT_DAYS - 1)
        start = timezone.make_aware(datetime.combine(first, time.min))
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        return start, end, first, last


class MachineStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=Machine.Status.choices)
    note = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=255)
