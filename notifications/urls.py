"""The e-mail settings page, the footer's unsubscribe link, and following an action."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("actions/<int:pk>/follow/", views.follow, {"following": True}, name="follow"),
    path("actions/<int:pk>/unfollow/", views.follow, {"following": False}, name="unfollow"),
]
