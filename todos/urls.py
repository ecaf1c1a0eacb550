from django.urls import path

from todos import views

app_name = "todos"

urlpatterns = [
    path("add", views.add, name="add"),
    path("show/<int:todo_id>", views.show, name="show"),
    path("edit/<int:todo_id>", views.edit, name="edit"),
    path("update/<int:todo_id>", views.update, name="update"),
    path("toggle/<int:todo_id>", views.toggle_status, name="toggle"),
    path("delete/<int:todo_id>", views.delete, name="delete"),
    path("<int:todo_id>/notes", views.note_add, name="note_add"),
]
