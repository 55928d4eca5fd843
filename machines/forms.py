from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Machine


class PeriodForm(forms.Form):
    """?du=2025-11-01&au=2025-11-30: whole days in factory time, `au` included. 30 days to today by default."""

    DEFAULT_DAYS = 30
    # A longer period would draw hundreds of weeks; dates outside these years are typing mistakes.
    MAX_DAYS = 731
    FIRST_YEAR, LAST_YEAR = 2000, 2100

    du = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("Au (inclus)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day and not self.FIRST_YEAR <= day.year <= self.LAST_YEAR:
            raise forms.ValidationError(_("Choisissez une date entre %(first)s et %(last)s.") % {
                "first": self.FIRST_YEAR, "last": self.LAST_YEAR})
        return day

    def clean_du(self):
        return self._clean_day("du")

    def clean_au(self):
        return self._clean_day("au")

    def clean(self):
        data = super().clean()
        first, last = data.get("du"), data.get("au")
        if first and last and first > last:
            raise forms.ValidationError(_("La date de début est après la date de fin."))
        if first and last and (last - first).days >= self.MAX_DAYS:
            raise forms.ValidationError(_("Choisissez une période de deux ans au plus."))
        return data

    def bounds(self, *, now):
        """(start, end, first_day, last_day): aware instants, end exclusive (midnight after `au`)."""
        today = timezone.localdate(now)
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("au") or today
        first = data.get("du") or last - timedelta(days=self.DEFAULT_DAYS - 1)
        first = max(first, last - timedelta(days=self.MAX_DAYS - 1))  # "du" alone, years back: two years at most.
        if not self.is_bound or not self.is_valid():  # The page shows the period it counts over.
            self.fields["du"].initial, self.fields["au"].initial = first, last
        start = timezone.make_aware(datetime.combine(first, time.min))
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        return start, end, first, last


class MachineStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=Machine.Status.choices)
    note = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=255)
