from django.contrib import admin

from .models import LegacyRecord


@admin.register(LegacyRecord)
class LegacyRecordAdmin(admin.ModelAdmin):
    """Read-only: the mapping is written by `manage.py import_d1` only."""

    list_display = ["table", "legacy_id", "content_type", "object_id", "imported_at"]
    list_filter = ["table"]
    search_fields = ["legacy_id"]
    readonly_fields = ["table", "legacy_id", "content_type", "object_id", "data", "digest", "imported_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
