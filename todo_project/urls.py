from django.contrib import admin
from django.urls import include, path

from todos import views as todo_views

urlpatterns = [
    path("", todo_views.landing, name="landing"),
    path("dashboard", todo_views.dashboard, name="dashboard"),
    path("todo/", include("todos.urls")),
    path("", include("accounts.urls")),
    path("", include("sharing.urls")),
    path("", include("notifications.urls")),
    path("", include("tracing.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
