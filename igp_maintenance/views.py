from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults


def favicon(request):
    """Browsers (and the admin) ask for /favicon.ico whatever the page says."""
    return redirect(static("favicon.svg"), permanent=True)


def server_error(request, *args, **kwargs):
    """A bug answers JSON under /api/ (integrations parse every answer) and a
    plain French page elsewhere. Django has already logged the traceback."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "status": 500,
                "code": "server_error",
                "detail": _("Erreur interne du serveur. L'incident a été journalisé."),
                "hint": _("Réessayez dans quelques minutes ; si l'erreur persiste, prévenez l'administrateur."),
            },
            status=500,
        )
    return defaults.server_error(request, *args, **kwargs)
