from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login, logout
from pages import urls as pages_urls
from pages import views as pages_views
from todos import urls as todos_urls
from todos import urls_lists as lists_urls
from todos import views as todo_views

# One way in: the admin's login and logout are ours (Cognito), not its password form.
admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.logout = logout  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("", todo_views.landing, name="landing"),
    path("dashboard", pages_views.dashboard, name="dashboard"),
    path(
        "todo/",
        include(([*todos_urls.urlpatterns, *pages_urls.todo_urlpatterns], todos_urls.app_name)),
    ),
    path(
        "lists/",
        include(([*lists_urls.urlpatterns, *pages_urls.list_urlpatterns], lists_urls.app_name)),
    ),
    path("", include("pages.urls")),
    path("", include("accounts.urls")),
    path("", include("sharing.urls")),
    path("", include("notices.urls")),
    path("", include("notifications.urls")),
    path("", include("tracing.urls")),
    path("accounts/", include("accounts.allauth_urls")),
    path("admin/", admin.site.urls),
]
