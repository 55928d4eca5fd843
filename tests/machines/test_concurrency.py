"""Status changes made at the same moment from several doors (two supervisors, the API, a report) keep a
history without a gap: each row's old status is the previous row's new one, and the machine ends in the
last row's status. Threads with their own connections; SQLite (IMMEDIATE transactions) and PostgreSQL
(select_for_update) alike."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from machines.models import MachineStatusChange
from machines.services import machine_set_status
from tickets.models import Machine

STATUSES = ["maintenance", "out_of_service", "operational"]


@pytest.mark.django_db(transaction=True)
def test_six_people_changing_one_machine_at_once_leave_an_unbroken_history(machine, supervisor):
    start = threading.Barrier(6)

    def changes(worker):
        try:
            start.wait()
            for step in range(5):
                machine_set_status(machine=Machine.objects.get(pk=machine.pk),
                                   status=STATUSES[(worker + step) % 3], by=supervisor)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(changes, range(6)))

    rows = list(MachineStatusChange.objects.filter(machine=machine).order_by("changed_at", "id"))
    assert rows, "no change recorded"
    assert rows[0].old_status == "operational"
    assert all(a.new_status == b.old_status for a, b in zip(rows, rows[1:], strict=False))
    assert all(r.old_status != r.new_status for r in rows)
    machine.refresh_from_db()
    assert machine.status == rows[-1].new_status
