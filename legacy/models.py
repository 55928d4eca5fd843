from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegacyRecord(models.Model):
    """One row of the original database and the object it became here.

    The unique (table, legacy_id) pair is what makes `import_d1` idempotent; the
    row itself is kept verbatim in `data`, so nothing of the original is lost even
    where our models have no column for it (a ticket's typed reporter name...),
    and `digest` tells a second run whether the row changed since.
    """

    table = models.CharField(_("table d'origine"), max_length=64)
    legacy_id = models.CharField(_("identifiant d'origine"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("type d'objet"))
    object_id = models.PositiveBigIntegerField(_("identifiant ici"))
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(_("ligne d'origine"), default=dict)
    digest = models.CharField(_("empreinte de la ligne"), max_length=64)
    imported_at = models.DateTimeField(_("importée le"), auto_now=True)

    class Meta:
        verbose_name = _("ligne reprise")
        verbose_name_plural = _("lignes reprises")
        ordering = ["table", "legacy_id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "legacy_id"], name="legacy_record_unique_row"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="legacy_record_target_idx")]

    def __str__(self):
        return f"{self.table} #{self.legacy_id}"
