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
