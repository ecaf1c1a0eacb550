"""Every user gets an Inbox holding the todos they own; every collaborator becomes an Editor
of the todo. Backwards: todo shares (of any role) and list shares (for each todo of the
list) become collaborators again."""

from django.db import migrations

INBOX = "Inbox"


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TodoList = apps.get_model("todos", "TodoList")
    Todo = apps.get_model("todos", "Todo")
    Share = apps.get_model("todos", "Share")
    inboxes = TodoList.objects.bulk_create(
        [
            TodoList(owner_id=user_id, name=INBOX, is_inbox=True)
            for user_id in User.objects.exclude(todo_lists__is_inbox=True).values_list(
                "pk", flat=True
            )
        ]
    )
    inbox_of = {inbox.owner_id: inbox.pk for inbox in inboxes}
    inbox_of.update(
        TodoList.objects.filter(is_inbox=True).values_list("owner_id", "pk")
    )
    for owner_id, inbox_id in inbox_of.items():
        Todo.objects.filter(owner_id=owner_id, todo_list=None).update(todo_list_id=inbox_id)
    Collaborators = Todo.collaborators.through
    Share.objects.bulk_create(
        [
            Share(todo_id=todo_id, user_id=user_id, role="EDITOR")
            for todo_id, user_id in Collaborators.objects.values_list("todo_id", "user_id")
        ],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    Todo = apps.get_model("todos", "Todo")
    Share = apps.get_model("todos", "Share")
    Collaborators = Todo.collaborators.through
    pairs = set(Share.objects.exclude(todo=None).values_list("todo_id", "user_id"))
    for list_id, user_id in Share.objects.exclude(todo_list=None).values_list(
        "todo_list_id", "user_id"
    ):
        for todo_id, owner_id in Todo.objects.filter(todo_list_id=list_id).values_list(
            "pk", "owner_id"
        ):
            if owner_id != user_id:
                pairs.add((todo_id, user_id))
    Collaborators.objects.bulk_create(
        [Collaborators(todo_id=todo_id, user_id=user_id) for todo_id, user_id in pairs],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("todos", "0005_lists_shares_assignees")]

    operations = [migrations.RunPython(forwards, backwards)]
