from django.core.management.base import BaseCommand

from tickets.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (machines de l'usine, un compte par rôle, "
        "tickets dans chaque statut dont certains en retard). Sans effet si elles existent déjà."
    )

    def handle(self, *args, **options):
        self.stdout.write("Comptes de démonstration :")
        result = seed_demo(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"{result['machines']} machines, {result['people']} comptes, "
            f"{result['tickets_created']} nouveaux tickets."
        ))
