from django.urls import path

from todos import views, views_attachments, views_people, views_reminders

app_name = "todos"

urlpatterns = [
    path("add", views.add, name="add"),
    path("edit/<int:todo_id>", views.edit, name="edit"),
    path("update/<int:todo_id>", views.update, name="update"),
    path("<int:todo_id>/status", views.set_status, name="set_status"),
    path("delete/<int:todo_id>", views.delete, name="delete"),
    path("<int:todo_id>/move", views.move, name="move"),
    path("<int:todo_id>/notes", views.note_add, name="note_add"),
    # Attachments and reminders (todos/views_attachments.py, todos/views_reminders.py)
    path("<int:todo_id>/attachments", views_attachments.attachment_add, name="attachment_add"),
    path(
        "<int:todo_id>/attachments/<int:attachment_id>",
        views_attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:todo_id>/attachments/<int:attachment_id>/delete",
        views_attachments.attachment_delete,
        name="attachment_delete",
    ),
    # Watching and assignees (todos/views_people.py)
    path("<int:todo_id>/watch", views_people.watch, name="watch"),
    path("<int:todo_id>/assignees", views_people.assignee_add, name="assignee_add"),
    path(
        "<int:todo_id>/assignees/<int:user_id>/remove",
        views_people.assignee_remove,
        name="assignee_remove",
    ),
    path("<int:todo_id>/reminders", views_reminders.reminder_add, name="reminder_add"),
    path(
        "<int:todo_id>/reminders/<int:reminder_id>/delete",
        views_reminders.reminder_delete,
        name="reminder_delete",
    ),
]
