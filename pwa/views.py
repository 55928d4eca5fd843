"""The installable app: its manifest, its service worker and the page shown offline.

What the service worker keeps on the device, and why (templates/pwa/sw.js):
- the app shell — CSS, JS, htmx, icons — and the offline page in each language,
  precached at install, served from the cache first: none of it is private;
- nothing else. Pages, htmx fragments, the API and photos always come from the
  network, so a ticket or a name is never written to the device's storage; a page
  navigation that fails offline shows the offline page instead. (The browser's own
  HTTP cache may still hold the last pages seen, like any site; signing out clears
  it with `Clear-Site-Data`, see web.views.LogoutView.)

The service worker's text lists the static files by their URL, hashed by
ManifestStaticFilesStorage in production, and carries a version computed from that
list and from the offline pages: a deployment that changes any of them changes
the worker's bytes, so browsers install the new one and drop the old cache.
"""
import hashlib
import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# Theme of static/css/app.css: the header's slate and the page's background.
THEME_COLOR = "#334155"
BACKGROUND_COLOR = "#f1f5f9"
SHELL = ["css/app.css", "js/app.js", "js/pwa.js", "vendor/htmx/htmx.min.js", "favicon.svg",
         "pwa/icon-192.png", "pwa/icon-512.png", "pwa/badge-96.png"]


def icon_urls():
    return {"icon": static("pwa/icon-192.png"), "badge": static("pwa/badge-96.png")}


@require_GET
def manifest(request):
    """Name, icons, colours and start page of the installed app, in French like the factory."""
    with translation.override(settings.LANGUAGE_CODE):
        data = {
            "id": "/",
            "name": "IGP Maintenance",
            "short_name": "IGP",
            "description": _("Tickets de maintenance de l'usine : signaler, suivre, réparer."),
            "lang": settings.LANGUAGE_CODE,
            "dir": "ltr",
            "start_url": reverse("web:board"),
            "scope": "/",
            "display": "standalone",
            "orientation": "any",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
                {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
                {"src": static("pwa/icon-maskable-192.png"), "sizes": "192x192", "type": "image/png",
                 "purpose": "maskable"},
                {"src": static("pwa/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
                 "purpose": "maskable"},
            ],
            "shortcuts": [
                {"name": _("Signaler un problème"), "url": reverse("web:report"),
                 "icons": [{"src": static("pwa/icon-192.png"), "sizes": "192x192"}]},
            ],
        }
    response = JsonResponse(data, content_type="application/manifest+json",
                            json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _offline_html(language):
    with translation.override(language):
        return render_to_string("pwa/offline.html", {"language": language, "theme_color": THEME_COLOR})


@require_GET
def service_worker(request):
    languages = [code for code, _name in settings.LANGUAGES]
    offline = {code: reverse("pwa:offline", args=[code]) for code in languages}
    shell = [static(path) for path in SHELL]
    fingerprint = hashlib.sha256(json.dumps([shell, offline]).encode())
    for code in languages:
        fingerprint.update(_offline_html(code).encode())
    body = render_to_string("pwa/sw.js", {
        "version": fingerprint.hexdigest()[:16],
        "shell": json.dumps(shell),
        "offline": json.dumps(offline),
        "default_language": json.dumps(settings.LANGUAGE_CODE),
        "icons": json.dumps(icon_urls()),
    })
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Always asked again: a new deployment must reach every phone at its next visit.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request, language):
    """The page a failed navigation shows, precached per language. Public: nothing about anyone."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponse(_offline_html(language))
    response["Cache-Control"] = "public, max-age=3600"
    return response
