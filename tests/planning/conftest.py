"""A plan in one line: make_plan(every=3, unit="months", start_date=date(2025, 11, 15))."""
from datetime import date

import pytest

from planning.models import Plan
from planning.services import plan_save


@pytest.fixture
def make_plan(db, machine, supervisor, technician):
    def _make(**fields):
        fields.setdefault("machine", machine)
        fields.setdefault("title", "Graissage trimestriel")
        fields.setdefault("description", "Graisser les engrenages d'entraînement")
        fields.setdefault("assigned_to", technician)
        fields.setdefault("start_date", date(2025, 11, 15))
        fields.setdefault("every", 3)
        fields.setdefault("unit", Plan.Unit.MONTHS)
        by = fields.pop("by", supervisor)
        return plan_save(plan=Plan(**fields), by=by)

    return _make
