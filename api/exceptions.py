"""Every API error as JSON that says what happened and what to do next.

Shape of every error body::

    {"status": 400, "code": "invalid", "detail": "…what went wrong…",
     "hint": "…what to do…", "errors": {"field": ["message", …]}}

`errors` appears on 400 only, one list of messages per field
("non_field_errors" for the rest). Texts are French unless the request asks
for English (`Accept-Language: en`, through LocaleMiddleware).

The domain code (tickets.services) raises Django's own exceptions; they are
mapped here so a view never needs a try/except: ValidationError → 400,
PermissionDenied → 403, ConflictError and ProtectedError → 409, a file too
large → 413.
"""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken

from tickets.services import ConflictError, MediaTooLarge


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _hints():
    # Built per call: gettext must run in the language of the current request.
    return {
        400: _("Corrigez les champs indiqués dans « errors » puis renvoyez la requête."),
        401: _("Connectez-vous avec POST /api/auth/login puis envoyez « Authorization: Bearer <jeton d'accès> »."),
        403: _("Votre rôle ne permet pas cette action. Demandez-la à un superviseur ou à un administrateur."),
        404: _("Vérifiez l'adresse ou le numéro de ticket : cet élément n'existe pas ou ne vous est pas visible."),
        405: _("Consultez la documentation de l'API (/api/docs/) pour les méthodes acceptées."),
        406: _("Demandez une réponse JSON (Accept: application/json)."),
        409: _("Rechargez l'élément pour voir son état actuel, puis recommencez si c'est encore utile."),
        413: _("Réduisez la taille du fichier ou de la requête, puis recommencez."),
        415: _("Envoyez du JSON (application/json) ou, pour un fichier, du multipart/form-data."),
        429: _("Patientez avant de réessayer."),
        503: _("Le service n'est pas configuré ou pas disponible : l'administrateur doit vérifier ses réglages."),
    }


def _translate(exc):
    """Turn a Django or domain exception into the matching DRF exception."""
    if isinstance(exc, MediaTooLarge):
        return PayloadTooLarge(detail=_first_message(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(detail=force_str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, ConflictError):
        return Conflict(detail=force_str(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict(detail=_("Suppression impossible : d'autres données en dépendent."))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(detail=_("La requête est trop volumineuse."))
    return exc


def _first_message(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


def _detail_text(exc):
    if isinstance(exc, exceptions.ValidationError):
        return _("Certaines valeurs envoyées sont invalides.")
    if isinstance(exc.detail, dict | list):
        if isinstance(exc, InvalidToken):
            return _("Jeton invalide ou expiré : renouvelez-le avec POST /api/auth/refresh ou reconnectez-vous.")
        return _("Requête refusée.")
    return force_str(exc.detail)


def _field_errors(detail):
    """{field: [messages]} from DRF's nested detail, flattening nested serializers."""
    if isinstance(detail, list):
        return {"non_field_errors": [force_str(m) for m in detail]}
    errors = {}
    for field, messages in detail.items():
        if isinstance(messages, dict):
            for sub, sub_messages in _field_errors(messages).items():
                errors[f"{field}.{sub}"] = sub_messages
        elif isinstance(messages, list):
            errors[field] = [force_str(m) if not isinstance(m, dict | list) else str(m) for m in messages]
        else:
            errors[field] = [force_str(messages)]
    return errors


class LoginThrottled(exceptions.Throttled):
    """A 429 from the sign-in limit (accounts/signin_limit.py), with the seconds left in the lock."""

    custom = True

    def __init__(self, wait):
        super().__init__(wait=wait)
        # Replaces DRF's text, which appends "Expected available in…" in English.
        text = _("Trop de tentatives de connexion échouées. Réessayez dans %(s)d secondes.")
        self.detail = exceptions.ErrorDetail(text % {"s": int(wait + 0.999)}, code="throttled")


def api_exception_handler(exc, context):
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # A real bug: let Django log it and answer 500.

    set_rollback()
    code = exc.status_code
    body = {"status": code, "code": _code_of(exc), "detail": _detail_text(exc)}
    if isinstance(exc, exceptions.ValidationError):
        body["errors"] = _field_errors(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait + 0.999)
        body["detail"] = force_str(exc.detail) if getattr(exc, "custom", False) else _(
            "Trop de requêtes. Réessayez dans %(s)d secondes."
        ) % {"s": body["retry_after"]}
    body["hint"] = _hints().get(code, "")

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait + 0.999))
    if code == 401 and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(body, status=code, headers=headers)


def _code_of(exc):
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code
