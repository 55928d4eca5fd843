from django.apps import apps
from django.core.management.base import BaseCommand

from accounts.roles import seed_roles


class Command(BaseCommand):
    help = (
        "Crée les groupes de rôles manquants et ajoute les permissions de départ "
        "(accounts/roles.py). N'enlève jamais une permission accordée dans l'admin."
    )

    def handle(self, *args, **options):
        seed_roles(apps)
        self.stdout.write(self.style.SUCCESS("Rôles à jour."))
