from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegacyConfig(AppConfig):
    name = "legacy"
    verbose_name = _("Reprise de l'application d'origine")
