"""The plan form of the planning pages (the admin uses the model's own)."""
from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import Machine
from web.forms import TEAM_CHOICE, assignee_choices

from .models import Plan


class PlanForm(forms.ModelForm):
    assignee = forms.ChoiceField(label=_("Assigner à"), required=False)
    checklist_text = forms.CharField(
        label=_("Liste de vérification"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Un point par ligne."),
    )
    due_soon_hours = forms.IntegerField(
        label=_("Rappel (heures avant)"), min_value=0, max_value=24 * 30, initial=24,
        help_text=_("La personne assignée est prévenue ce nombre d'heures avant la date planifiée."),
    )

    class Meta:
        model = Plan
        fields = ["machine", "title", "description", "priority", "kind", "every", "unit", "start_date",
                  "time_of_day", "lead_days", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "every": forms.NumberInput(attrs={"min": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = Machine.objects.all()
        self.technicians, self.fields["assignee"].choices = assignee_choices()
        plan = self.instance
        if not self.is_bound:
            self.initial["checklist_text"] = "\n".join(plan.checklist or [])
            self.initial["due_soon_hours"] = int(plan.due_soon_lead.total_seconds() // 3600)
            self.initial["assignee"] = TEAM_CHOICE if plan.assigned_to_team else (
                str(plan.assigned_to_id) if plan.assigned_to_id else "")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin ne peut pas précéder la première date."))
        return data

    def apply(self):
        """The form's values on the plan (not saved: planning.services.plan_save saves it)."""
        plan = self.instance
        value = self.cleaned_data.get("assignee") or ""
        plan.assigned_to_team = value == TEAM_CHOICE
        plan.assigned_to = None if plan.assigned_to_team else self.technicians.get(value)
        plan.checklist = [line.strip() for line in self.cleaned_data.get("checklist_text", "").splitlines()
                          if line.strip()]
        plan.due_soon_lead = timedelta(hours=self.cleaned_data.get("due_soon_hours") or 0)
        return plan


class CalendarFilterForm(forms.Form):
    machine = forms.ModelChoiceField(label=_("Machine"), queryset=Machine.objects.all(), required=False,
                                     empty_label=_("Toutes les machines"))
    personne = forms.ChoiceField(label=_("Personne"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u in User.objects.technicians()}
        self.fields["personne"].choices = [("", _("Tout le monde")), (TEAM_CHOICE, _("Équipe complète"))] + [
            (pk, str(u)) for pk, u in self.people.items()]

    def cleaned_or_empty(self):
        return self.cleaned_data if self.is_bound and self.is_valid() else {}
