from django.urls import path

from tracing import views

app_name = "tracing"

urlpatterns = [
    path("activity", views.activity, name="activity"),
    path("health/ready", views.health_ready, name="health_ready"),
]
