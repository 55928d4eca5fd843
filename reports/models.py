from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """No table: the holder of the `reports.view_reports` permission (the reports page, its CSV and API)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", _("Voir les rapports et exporter les tickets"))]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")

    def __str__(self):
        return str(self._meta.verbose_name)
