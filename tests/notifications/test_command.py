"""`manage.py check_overdue`, as a sysadmin's crontab runs it."""
import json

import pytest
import requests
import responses
import time_machine
from django.core.management import call_command

from notifications.models import ScanRun, WebhookNotification
from tests.conftest import NOW

from .conftest import HOOK_URL, hook_ok

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hooks")]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def run(*args):
    """(exit code, stdout, stderr) of the command."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_overdue", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_it_exits_0_and_prints_nothing_when_nothing_is_due():
    assert run() == (0, "", "")


def test_it_prints_nothing_when_every_alert_was_delivered_so_cron_mails_nobody(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)

    assert run("--trigger", "crontab") == (0, "", "")
    assert ScanRun.objects.get().trigger == "crontab"
    assert WebhookNotification.objects.get().succeeded


def test_verbosity_2_says_what_it_sent_and_sums_up(overdue_ticket, hooks):
    ticket = overdue_ticket()
    hook_ok(hooks)

    code, out, _err = run("-v", "2")

    assert code == 0
    assert f"{ticket.ticket_id} → OVERDUE_WEBHOOK_URL : envoyée (HTTP 200, tentative 1)" in out
    assert "1 ticket(s) en retard, 1 alerte(s) due(s), 1 envoyée(s), 0 échec(s)." in out


def test_it_exits_1_without_a_traceback_when_a_delivery_failed(overdue_ticket, hooks):
    overdue_ticket()
    hooks.add(responses.POST, HOOK_URL, body=requests.exceptions.ConnectionError("Connection refused"))

    code, out, err = run()

    assert code == 1
    assert "ÉCHEC tentative 1 : Connexion impossible" in err
    assert "1 échec(s)." in err
    assert out == ""  # Everything cron mails is on stderr.
    assert "Traceback" not in out + err


def test_json_prints_the_same_answer_as_the_endpoint(overdue_ticket, hooks):
    overdue_ticket()
    hook_ok(hooks)

    code, out, _err = run("--json")

    answer = json.loads(out)
    assert code == 0
    assert list(answer) == ["message", "total_overdue", "notifications_sent", "notifications", "checked_at"]
    assert answer["notifications_sent"] == 1


def test_dry_run_lists_what_would_be_sent_and_sends_nothing(overdue_ticket, hooks):
    ticket = overdue_ticket()

    code, out, _err = run("--dry-run")

    assert code == 0
    assert f"{ticket.ticket_id} → OVERDUE_WEBHOOK_URL : serait envoyée" in out
    assert len(hooks.calls) == 0
    assert not WebhookNotification.objects.exists() and not ScanRun.objects.exists()


def test_it_warns_when_tickets_are_overdue_but_no_destination_is_configured(overdue_ticket, settings):
    settings.OVERDUE_WEBHOOK_URL = ""
    overdue_ticket()

    code, _out, err = run()

    assert code == 0
    assert "aucune destination active" in err
