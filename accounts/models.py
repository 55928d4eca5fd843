import os

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import STAFF_ROLES, TECHNICIAN_ROLES, Role


class UserQuerySet(models.QuerySet):
    def technicians(self):
        """Active people a ticket can be assigned to."""
        return self.filter(is_active=True, role__in=[r.value for r in TECHNICIAN_ROLES])


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse courriel est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("role", Role.OPERATOR)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """An admin. `createsuperuser --noinput` needs only DJANGO_SUPERUSER_EMAIL and
        DJANGO_SUPERUSER_PASSWORD (names are optional: not in REQUIRED_FIELDS); since the
        command passes no name then, DJANGO_SUPERUSER_FIRST_NAME/LAST_NAME name the first
        admin the same way, when set."""
        extra["role"] = Role.ADMIN
        for field in ("first_name", "last_name"):
            extra.setdefault(field, os.environ.get(f"DJANGO_SUPERUSER_{field.upper()}", ""))
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive on the address.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person of the factory. Signs in with an email address.

    The role decides the Django group (and so the permissions); `is_staff` and
    `is_superuser` follow the role on every save, so the admin never disagrees
    with what the role says.
    """

    email = models.EmailField(_("adresse courriel"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices, default=Role.OPERATOR, db_index=True)
    is_active = models.BooleanField(
        _("actif"), default=True, help_text=_("Décochez plutôt que de supprimer : l'historique reste lisible.")
    )
    is_staff = models.BooleanField(_("accès à l'administration"), default=False, editable=False)
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)
    language = models.CharField(
        _("langue"), max_length=8, choices=settings.LANGUAGES, blank=True,
        help_text=_("La langue des pages pour cette personne, sur tous ses appareils. Vide : le français de l'usine."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    # Names are optional, so `createsuperuser --noinput` works with an address and a password.
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self):
        return self.full_name

    # True while `check_password` re-hashes with the preferred hasher: not a password change.
    upgrading_password_hash = False

    def check_password(self, raw_password):
        self.upgrading_password_hash = True
        try:
            return super().check_password(raw_password)
        finally:
            self.upgrading_password_hash = False

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def is_technician(self):
        return self.role in TECHNICIAN_ROLES

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        self.is_staff = self.role in STAFF_ROLES
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "role" in update_fields:
            self._sync_role_group()

    def _sync_role_group(self):
        """Membership of exactly one role group: the one named after `role`."""
        role_names = [r.value for r in Role]
        current = set(self.groups.filter(name__in=role_names).values_list("name", flat=True))
        if current == {self.role}:
            return
        self.groups.remove(*Group.objects.filter(name__in=current - {self.role}))
        group = Group.objects.filter(name=self.role).first()
        if group is not None:
            self.groups.add(group)
        # Permissions are cached per instance; a role change must count at once.
        for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            self.__dict__.pop(attr, None)
