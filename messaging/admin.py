from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """History of the original's messaging: readable, not writable."""

    list_display = ["created_at", "sender", "recipient", "content", "is_read"]
    list_filter = ["is_read", ("recipient", admin.EmptyFieldListFilter)]
    search_fields = ["content", "sender__email", "recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["sender", "recipient"]
    readonly_fields = ["sender", "recipient", "content", "is_read", "read_at", "audio_file_key", "audio_file",
                       "audio_duration", "audio_size", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
