from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login, logout
from todos import views as todo_views

# One way in: the admin's login and logout are ours (Cognito), not its password form.
admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.logout = logout  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("", todo_views.landing, name="landing"),
    path("dashboard", todo_views.dashboard, name="dashboard"),
    path("todo/", include("todos.urls")),
    path("", include("accounts.urls")),
    path("", include("sharing.urls")),
    path("", include("notifications.urls")),
    path("", include("tracing.urls")),
    path("accounts/", include("accounts.allauth_urls")),
    path("admin/", admin.site.urls),
]
