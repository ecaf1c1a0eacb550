from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [path("settings/notices", views.notice_settings, name="settings")]
