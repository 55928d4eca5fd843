"""Record before sending, for people too: a run killed while the SMTP server holds its e-mail leaves an
"Envoi en cours" attempt and a claim; once the claim expires the next scan marks it interrupted and
sends the e-mail again with the same Message-ID (the person's mail client shows it once)."""
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from notifications.models import Delivery, DeliveryAttempt
from notifications.services import deliver_people, run_overdue_scan
from tests.conftest import NOW

from .conftest import process_env

pytestmark = pytest.mark.django_db


class RecordingBackend(EmailBackend):
    """Notes what the history said at the moment the message left."""

    seen = []

    def send_messages(self, messages):
        RecordingBackend.seen.append(list(DeliveryAttempt.objects.values_list("error", "succeeded")))
        return super().send_messages(messages)


def test_the_attempt_is_recorded_before_the_email_leaves(settings, overdue_ticket, hooks):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    settings.OVERDUE_WEBHOOK_URL = ""
    RecordingBackend.seen = []
    overdue_ticket()

    run_overdue_scan(now=NOW)

    assert RecordingBackend.seen == [[("Envoi en cours", False)]]
    assert list(DeliveryAttempt.objects.values_list("error", "succeeded", "status_code")) == [("", True, 250)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_while_sending_an_email_is_closed_by_the_next_scan_which_sends_the_same_message(
    smtp, overdue_ticket, settings
):
    settings.OVERDUE_WEBHOOK_URL = ""
    overdue_ticket()
    smtp.stall = True
    process = subprocess.Popen(
        [sys.executable, "manage.py", "check_overdue", "--trigger", "crontab"], cwd=django_settings.BASE_DIR,
        env=process_env(EMAIL_URL=smtp.url, EMAIL_TIMEOUT=60, OVERDUE_WEBHOOK_URL=""),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not smtp.stalled and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert smtp.stalled, process.stderr.read().decode() if process.poll() is not None else "no e-mail"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    [left] = DeliveryAttempt.objects.all()
    assert left.error == DeliveryAttempt.SENDING
    first_id = smtp.stalled[0]["Message-ID"]

    smtp.stall = False
    assert deliver_people(now=timezone.now()).held == 1, "the claim is alive: the dying run might still send"
    later = timezone.now() + timedelta(seconds=django_settings.OVERDUE_CLAIM_TTL_SECONDS + 1)
    result = run_overdue_scan(now=later)

    assert result.people.sent == 1
    assert smtp.message_ids() == [first_id]
    left.refresh_from_db()
    assert left.error == "Interrompu (envoi non terminé)"
    assert Delivery.objects.get().status == Delivery.Status.SENT
