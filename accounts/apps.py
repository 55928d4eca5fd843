from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(using="default", **kwargs):
    """`createcachetable` after every `migrate`: the default cache is a database table
    (settings, CACHE_URL), and a fresh clone or a test database must not need a step
    of their own. Does nothing for Redis, or when the table exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et rôles")

    def ready(self):
        from . import signals  # noqa: F401  (connects the token and session revocation)
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="accounts.create_cache_table")
