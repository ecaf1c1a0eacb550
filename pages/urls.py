from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("dashboard/rows", views.dashboard_rows, name="dashboard_rows"),
    path("todo/<int:todo_id>/parts/<slug:part>", views.todo_part, name="todo_part"),
    path("people/suggestions", views.people_suggestions, name="people_suggestions"),
]

# Named in the todos namespace (todos:show), where every link to a todo's page points.
todo_urlpatterns = [path("show/<int:todo_id>", views.show, name="show")]

# Named in the lists namespace (todos/urls_lists.py), beside the lists' own views.
list_urlpatterns = [
    path("<int:list_id>", views.list_page, name="show"),
    path("<int:list_id>/rows", views.list_rows, name="rows"),
]
