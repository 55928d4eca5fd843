from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("nouvelle/", views.start, name="start"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/envoyer/", views.send, name="send"),
    path("<int:pk>/vocal/", views.send_audio, name="send-audio"),
    path("<int:pk>/<int:message_id>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/<int:message_id>/audio/", views.audio, name="audio"),
]
