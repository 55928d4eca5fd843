from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from notifications import push_urls

from . import views

admin.site.site_header = _("IGP Maintenance — administration")
admin.site.site_title = _("IGP Maintenance")
admin.site.index_title = _("Gestion de la maintenance")

urlpatterns = [
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("notifications.urls")),
    path("api/push/", include((push_urls.api_urlpatterns, "push-api"))),
    path("api/", include("api.urls")),
    path("notifications/", include("notifications.push_urls")),
    path("", include("pwa.urls")),
    path("messages/", include("messaging.urls")),
    path("", include("planning.urls")),
    path("", include("machines.urls")),
    path("", include("reports.urls")),
    path("", include("web.urls")),
]
# Uploaded files are deliberately not served under MEDIA_URL: they go through
# views that check who may see the ticket (tickets/downloads.py).

handler500 = "igp_maintenance.views.server_error"
