from django.urls import path

from todos import views_lists

app_name = "lists"

urlpatterns = [
    path("", views_lists.index, name="index"),
    path("new", views_lists.create, name="create"),
    path("<int:list_id>/rename", views_lists.rename, name="rename"),
    path("<int:list_id>/archive", views_lists.archive, name="archive"),
    path("<int:list_id>/delete", views_lists.delete, name="delete"),
    path("<int:list_id>/arrange", views_lists.arrange, name="arrange"),
]
