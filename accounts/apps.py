from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et rôles")

    def ready(self):
        from . import signals  # noqa: F401  (connects the token and session revocation)
