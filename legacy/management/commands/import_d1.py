from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.roles import Role
from legacy.importer import IMPORT_ORDER, import_d1
from legacy.sources import LegacyImportError

HELP = """\
Importe la base de l'application d'origine (Cloudflare D1) : un export SQL de
`wrangler d1 export` ou un fichier SQLite. Utilisateurs (mots de passe compris),
machines, tickets (numéros gardés tels quels), photos et vidéos, commentaires,
historique, messages et historique des webhooks. Tout se fait dans une seule
transaction : en cas d'erreur, la base reste telle qu'elle était. Relancer la
commande ne refait rien (les lignes déjà importées et inchangées sont ignorées).

Dates (stockées sans fuseau par l'origine) :
  - en UTC : tout ce que le serveur écrivait avec CURRENT_TIMESTAMP
    (« 2025-11-05 11:54:38 ») : users, machines, tickets.updated_at et
    completed_at, media, ticket_timeline, ticket_comments, messages,
    webhook_notifications ;
  - à l'heure de l'usine (America/Toronto) : tickets.scheduled_date (saisi dans
    le navigateur, « 2025-11-07T07:54:00 ») et tickets.created_at (l'export le
    montre : chaque ticket est créé cinq heures avant sa propre entrée
    « Ticket créé », écrite en UTC), ainsi que tickets.updated_at tant qu'il est
    égal à created_at (ticket jamais modifié) ;
  - une date avec son fuseau (« ...Z ») est lue dans ce fuseau ;
  - heure locale ambiguë (nuit du passage à l'heure normale) : la première
    (heure avancée) ; heure locale inexistante (passage à l'heure avancée) :
    décalage d'avant le changement (une heure plus tard à l'horloge).

Rôles : les 14 rôles d'origine gardent leur nom. Un rôle inconnu arrête
l'import sans rien modifier (ignorer la personne perdrait ses tickets, deviner
lui donnerait des droits que personne n'a choisis) ; --role-map ancien=nouveau
indique la correspondance.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("path", help="Export SQL (.sql) ou base SQLite de l'application d'origine.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Montre ce qui serait fait, sans rien enregistrer.")
        parser.add_argument("--media-dir", metavar="DIR",
                            help="Copie locale du bucket R2 : les fichiers y sont copiés dans le stockage des "
                                 "médias (les clés et adresses d'origine sont gardées dans tous les cas).")
        parser.add_argument("--role-map", metavar="ANCIEN=NOUVEAU", action="append", default=[],
                            help=f"Rôle d'ici pour un rôle d'origine inconnu. Rôles : {', '.join(Role.values)}.")

    def handle(self, *args, **options):
        role_map = {}
        for item in options["role_map"]:
            old, sep, new = item.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise CommandError(_("--role-map attend ancien=nouveau, pas « %(item)s ».") % {"item": item})
            role_map[old.strip()] = new.strip()
        try:
            report = import_d1(options["path"], media_dir=options["media_dir"], role_map=role_map,
                               dry_run=options["dry_run"])
        except LegacyImportError as exc:
            raise CommandError(str(exc)) from exc
        self.print_report(report)

    def print_report(self, report):
        write = self.stdout.write
        if report.dry_run:
            write(self.style.WARNING(_("Essai (--dry-run) : rien n'a été enregistré. Voici ce qui serait fait.")))
        headers = [_("Table"), _("Trouvées"), _("Créées"), _("Mises à jour"), _("Inchangées"), _("Ignorées"),
                   _("Motifs et remarques")]
        order = {name: i for i, name in enumerate(IMPORT_ORDER)}
        rows = []
        for name, c in sorted(report.tables.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
            remarks = [_("%(n)d ignorée(s) : %(reason)s") % {"n": n, "reason": reason}
                       for reason, n in c.skipped.items()]
            remarks += [f"{n} {note}" for note, n in c.notes.items()]
            rows.append([name, c.found, c.created, c.updated, c.unchanged, c.skipped_total, " ; ".join(remarks)])
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers) - 1)]
        for line in [headers, *rows]:
            cells = [str(v).ljust(w) if i == 0 else str(v).rjust(w)
                     for i, (v, w) in enumerate(zip(line[:-1], widths, strict=True))]
            write("  ".join(cells) + "  " + str(line[-1]))
        for warning in report.warnings:
            write(self.style.WARNING(warning))
        if report.dry_run:
            return
        if report.changed:
            write(self.style.SUCCESS(_("Import terminé.")))
        else:
            write(self.style.SUCCESS(_("Rien à faire : tout était déjà importé.")))
