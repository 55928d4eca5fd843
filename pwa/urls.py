from django.urls import path

from . import views

app_name = "pwa"
# At the root: a service worker controls only the pages under the path it is served from.
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("hors-ligne/<str:language>/", views.offline, name="offline"),
]
