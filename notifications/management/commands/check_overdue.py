"""`manage.py check_overdue` — the overdue scan, run every 5 minutes by the systemd timer or crontab.

    */5 * * * * igp ENV_FILE=/etc/igp-maintenance/igp.env /srv/igp-maintenance/bin/igp check_overdue

Silent when all is well: cron mails whatever a job prints, so a summary on every
run would be 288 mails a day. What it prints is what needs a person:
- exit 0, nothing printed: every due alert was delivered, or nothing was due;
- exit 1, the failed deliveries and the summary on stderr: a receiver refused or
  did not answer (retried on the next runs, see OVERDUE_RETRY_DELAYS_MINUTES);
- exit 2, one line on stderr: the scan could not run (database unreachable).
`-v 2` prints every delivery and the summary; `--dry-run` always prints what it
would send; `--json` prints the cron endpoint's answer. Never a traceback for an
expected fault.

The same run delivers the notifications owed to people (e-mail, push). Their
failures do not change the exit code nor print anything at verbosity 1: they are
retried on their own rows and `/api/health` names a channel failing for more than
an hour (a mail every 5 minutes about a broken SMTP server helps nobody). `-v 2`
adds one line with their counts.
"""
import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import ScanRun
from notifications.services import run_overdue_scan


class Command(BaseCommand):
    help = (
        "Envoie les alertes des tickets planifiés en retard (à lancer toutes les 5 minutes). "
        "Silencieuse si tout va bien (code 0) ; les échecs vont sur stderr (code 1) ; "
        "base inaccessible : une ligne, code 2. -v 2 affiche chaque envoi et le bilan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Affiche ce qui serait envoyé ; n'envoie et n'enregistre rien.")
        parser.add_argument("--json", action="store_true", help="Affiche la même réponse JSON que l'API.")
        parser.add_argument("--trigger", choices=[ScanRun.Trigger.CRONTAB, ScanRun.Trigger.MANUAL],
                            help="Déclencheur enregistré (par défaut : manual dans un terminal, crontab sinon).")

    def handle(self, *args, dry_run=False, json=False, trigger=None, verbosity=1, **options):
        trigger = trigger or (ScanRun.Trigger.MANUAL if sys.stdin.isatty() else ScanRun.Trigger.CRONTAB)
        try:
            result = run_overdue_scan(now=timezone.now(), trigger=trigger, dry_run=dry_run)
        except DatabaseError as exc:
            self.stderr.write(_("Vérification impossible : base de données indisponible (%(error)s).")
                              % {"error": exc})
            sys.exit(2)
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            self._print(result, verbose=verbosity >= 2 or dry_run)
        if not result.ok:
            sys.exit(1)

    def _print(self, result, *, verbose):
        """Failures always, on stderr; the rest only when asked (`-v 2`, `--dry-run`)."""
        for d in result.deliveries:
            line = f"{d.ticket.ticket_id} → {d.endpoint.name} : "
            if result.dry_run:
                self.stdout.write(line + _("serait envoyée"))
            elif d.succeeded:
                if verbose:
                    self.stdout.write(line + _("envoyée (HTTP %(status)s, tentative %(attempt)s)")
                                      % {"status": d.status, "attempt": d.attempt})
            else:
                self.stderr.write(line + _("ÉCHEC tentative %(attempt)s : %(error)s")
                                  % {"attempt": d.attempt, "error": d.error})
        summary = _("%(overdue)s ticket(s) en retard, %(due)s alerte(s) due(s), %(sent)s envoyée(s), "
                    "%(failed)s échec(s)") % {"overdue": result.total_overdue, "due": result.due,
                                              "sent": len(result.sent), "failed": len(result.failed)}
        if result.remaining:
            summary += _(", %(remaining)s reportée(s) au prochain passage (budget de temps)") % {
                "remaining": result.remaining}
        if result.held:
            summary += _(", %(held)s prise(s) par une autre vérification en cours") % {"held": result.held}
        if result.dry_run:
            summary += _(" — essai à blanc, rien n'a été envoyé ni enregistré")
        if result.failed:
            self.stderr.write(summary + ".")
        elif verbose:
            self.stdout.write(summary + ".")
        if verbose and not result.dry_run:
            p = result.people
            self.stdout.write(_("Personnes : %(notified)s notification(s) créée(s), %(due)s envoi(s) dû(s), "
                                "%(sent)s réussi(s), %(failed)s échec(s) à réessayer, %(given_up)s abandonné(s), "
                                "%(remaining)s reporté(s), %(held)s pris par une autre vérification.") % {
                "notified": p.notified, "due": p.due, "sent": p.sent, "failed": p.failed, "given_up": p.given_up,
                "remaining": p.remaining, "held": p.held})
        if result.total_overdue and not result.destinations:
            self.stderr.write(_("Attention : aucune destination active (OVERDUE_WEBHOOK_URL vide et aucune "
                                "destination webhook dans l'administration) : aucune alerte ne part."))


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
