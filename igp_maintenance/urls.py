from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("IGP Maintenance — administration")
admin.site.site_title = _("IGP Maintenance")
admin.site.index_title = _("Gestion de la maintenance")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
