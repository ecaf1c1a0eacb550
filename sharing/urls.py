from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("todo/<int:todo_id>/collaborations", views.share, name="share"),
    path(
        "todo/<int:todo_id>/collaborations/<int:collaborator_id>/confirm",
        views.confirm,
        name="confirm",
    ),
    path(
        "todo/<int:todo_id>/collaborations/<int:collaborator_id>/withdraw",
        views.withdraw,
        name="withdraw",
    ),
    path(
        "todo/<int:todo_id>/collaborators/<int:collaborator_id>/remove",
        views.remove,
        name="remove",
    ),
    path("todo/<int:todo_id>/leave", views.leave, name="leave"),
    path("dev/mailbox", views.mailbox, name="mailbox"),
]
