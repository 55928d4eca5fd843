from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Conversation, Message


class ReadOnly:
    """Shown, never added, edited or removed from the admin: changes go through messaging.services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):
    """The history of the team messaging: readable (`view_message`, administrators by default: the audit
    trail, see README "Team messaging"), never edited. Deleting goes through the pages' rule and leaves
    the same "message supprimé" trace (the action below); rows are never removed from here."""

    list_display = ["created_at", "conversation", "sender", "recipient", "content", "is_audio", "is_read",
                    "deleted_at"]
    list_filter = ["conversation__kind", "is_read", ("deleted_at", admin.EmptyFieldListFilter),
                   ("recipient", admin.EmptyFieldListFilter)]
    search_fields = ["content", "sender__email", "recipient__email"]
    date_hierarchy = "created_at"
    list_select_related = ["sender", "recipient", "conversation__first", "conversation__second"]
    readonly_fields = ["conversation", "sender", "recipient", "content", "is_read", "read_at", "audio_file_key",
                       "audio_file", "audio_content_type", "audio_duration", "audio_size", "created_at",
                       "deleted_at", "deleted_by"]
    actions = ["delete_keeping_a_trace"]

    @admin.display(boolean=True, description=_("vocal"))
    def is_audio(self, message):
        return message.is_audio

    @admin.action(description=_("Supprimer (une trace « message supprimé » reste)"))
    def delete_keeping_a_trace(self, request, queryset):
        done, refused = 0, 0
        for message in queryset.select_related("conversation"):
            try:
                services.message_delete(message=message, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError):
                refused += 1
        if done:
            self.message_user(request, ngettext("%(n)s message supprimé.", "%(n)s messages supprimés.", done)
                              % {"n": done}, messages.SUCCESS)
        if refused:
            self.message_user(request, ngettext(
                "%(n)s message non supprimé : déjà supprimé, ou d'une conversation privée d'autres personnes.",
                "%(n)s messages non supprimés : déjà supprimés, ou d'une conversation privée d'autres personnes.",
                refused) % {"n": refused}, messages.WARNING)


@admin.register(Conversation)
class ConversationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "kind", "last_message_at", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["first", "second"]
    readonly_fields = ["kind", "first", "second", "created_at", "last_message_at"]
