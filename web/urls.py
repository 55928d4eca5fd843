from django.urls import path

from . import views

app_name = "web"
# `ticket_id` holds spaces and accents ("IGP-POLISSEUSE-DOUBLE EDGER-20251109-768") but never "/".
urlpatterns = [
    path("", views.board, name="board"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("langue/", views.language, name="language"),
    path("signaler/", views.report, name="report"),
    path("tickets/<str:ticket_id>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:ticket_id>/statut/", views.ticket_move, name="ticket-move"),
    path("tickets/<str:ticket_id>/assigner/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<str:ticket_id>/modifier/", views.ticket_edit, name="ticket-edit"),
    path("tickets/<str:ticket_id>/supprimer/", views.ticket_delete, name="ticket-delete"),
    path("tickets/<str:ticket_id>/prendre/", views.ticket_take, name="ticket-take"),
    path("tickets/<str:ticket_id>/planifier/", views.ticket_schedule, name="ticket-schedule"),
    path("tickets/<str:ticket_id>/commentaires/", views.comment_add, name="ticket-comment"),
    path("tickets/<str:ticket_id>/fichiers/", views.media_upload, name="ticket-media-upload"),
    path("tickets/<str:ticket_id>/fichiers/<int:media_id>/", views.media_file, name="ticket-media"),
    path("tickets/<str:ticket_id>/fichiers/<int:media_id>/miniature/", views.media_thumbnail,
         name="ticket-media-thumbnail"),
    path("tickets/<str:ticket_id>/fichiers/<int:media_id>/supprimer/", views.media_delete,
         name="ticket-media-delete"),
]
