"""`manage.py check_overdue` — the crontab's way to run the overdue scan.

    */5 * * * * cd /srv/igp && .venv/bin/python manage.py check_overdue

Exit 0 when every due alert was delivered (or nothing was due), 1 when some
delivery failed (cron mails the output to the sysadmin), 2 when the scan could
not run (database unreachable). Expected faults print one line, no traceback.
"""
import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from notifications.models import ScanRun
from notifications.services import run_overdue_scan


class Command(BaseCommand):
    help = "Envoie les alertes des tickets planifiés en retard (à lancer toutes les 5 minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Affiche ce qui serait envoyé ; n'envoie et n'enregistre rien.")
        parser.add_argument("--json", action="store_true", help="Affiche la même réponse JSON que l'API.")
        parser.add_argument("--trigger", choices=[ScanRun.Trigger.CRONTAB, ScanRun.Trigger.MANUAL],
                            help="Déclencheur enregistré (par défaut : manual dans un terminal, crontab sinon).")

    def handle(self, *args, dry_run=False, json=False, trigger=None, **options):
        trigger = trigger or (ScanRun.Trigger.MANUAL if sys.stdin.isatty() else ScanRun.Trigger.CRONTAB)
        try:
            result = run_overdue_scan(now=timezone.now(), trigger=trigger, dry_run=dry_run)
        except DatabaseError as exc:
            self.stderr.write(f"Vérification impossible : base de données indisponible ({exc}).")
            sys.exit(2)
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            self._print(result)
        if not result.ok:
            sys.exit(1)

    def _print(self, result):
        verb = "serait envoyée" if result.dry_run else "envoyée"
        for d in result.deliveries:
            line = f"{d.ticket.ticket_id} → {d.endpoint.name} : "
            if result.dry_run:
                self.stdout.write(line + verb)
            elif d.succeeded:
                self.stdout.write(line + f"{verb} (HTTP {d.status}, tentative {d.attempt})")
            else:
                self.stderr.write(line + f"ÉCHEC tentative {d.attempt} : {d.error}")
        summary = (f"{result.total_overdue} ticket(s) en retard, {result.due} alerte(s) due(s), "
                   f"{len(result.sent)} envoyée(s), {len(result.failed)} échec(s)")
        if result.remaining:
            summary += f", {result.remaining} reportée(s) au prochain passage (budget de temps)"
        if result.held:
            summary += f", {result.held} prise(s) par une autre vérification en cours"
        if result.dry_run:
            summary += " — essai à blanc, rien n'a été envoyé ni enregistré"
        self.stdout.write(summary + ".")
        if result.total_overdue and not result.destinations:
            self.stderr.write("Attention : aucune destination active (OVERDUE_WEBHOOK_URL vide et aucune "
                              "destination webhook dans l'administration) : aucune alerte ne part.")


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
