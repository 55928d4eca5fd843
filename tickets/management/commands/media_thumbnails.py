from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils.translation import gettext as _

from tickets.models import Media
from tickets.services import media_make_thumbnail


class Command(BaseCommand):
    help = _(
        "Crée les miniatures manquantes des photos déjà stockées (ajoutées avant les miniatures ou "
        "importées) ; --strip-location retire aussi la position GPS des photos JPEG stockées. "
        "Sans effet sur une photo qui a déjà sa miniature ; peut être relancée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--strip-location", action="store_true",
                            help=_("Réécrire aussi les JPEG stockés sans leurs données GPS (mêmes pixels)."))

    def handle(self, *args, strip_location=False, **options):
        photos = Media.objects.filter(kind=Media.Kind.PHOTO).exclude(file="")
        if not strip_location:
            photos = photos.filter(Q(thumbnail="") | Q(thumbnail__isnull=True))
        made = skipped = failed = 0
        for media in photos.iterator(chunk_size=100):
            try:
                if media_make_thumbnail(media, strip_location=strip_location):
                    made += 1
                else:
                    skipped += 1
            except OSError as exc:  # A file missing from the storage: say which, go on with the others.
                failed += 1
                self.stderr.write(_("%(name)s (n° %(id)s) : %(error)s") % {
                    "name": media.original_name, "id": media.pk, "error": exc})
        external = Media.objects.filter(file="").count()
        self.stdout.write(self.style.SUCCESS(
            _("%(made)s miniature(s) créée(s), %(skipped)s photo(s) sans miniature possible ou déjà faite, "
              "%(failed)s erreur(s) ; %(external)s fichier(s) resté(s) sur l'ancien stockage ignoré(s).") % {
                "made": made, "skipped": skipped, "failed": failed, "external": external}))
