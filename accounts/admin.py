from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .forms import UserChangeForm, UserCreationForm
from .models import User
from .roles import Role
from .services import user_history


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People of the factory. A supervisor manages everyone but admins."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (_("Rôle"), {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "role",
                                                 "password1", "password2"]}),
    ]
    filter_horizontal = []

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            qs = qs.exclude(role=Role.ADMIN)
        return qs

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        # One's own password is changed with the old one (admin:password_change),
        # as in the API; this form, without it, is for resetting someone else's.
        if str(request.user.pk) == str(id):
            return redirect("admin:password_change")
        return super().user_change_password(request, id, form_url)

    # --- Deleting: only an account without history (otherwise: untick "actif") ---
    def get_actions(self, request):
        # The bulk delete would skip the rule below; accounts are deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and user_history(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and super().has_delete_permission(request, obj):
            kinds = user_history(obj)
            if kinds:
                self.message_user(request, _(
                    "%(user)s a un historique (%(kinds)s) : le compte ne peut pas être supprimé. "
                    "Décochez « actif » pour le désactiver."
                ) % {"user": obj, "kinds": ", ".join(str(k) for k in kinds)}, messages.ERROR)
                return redirect("admin:accounts_user_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)
