from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction


class Priority(models.TextChoices):
    HIGH = "HIGH", "High"
    DEFAULT = "DEFAULT", "Default"
    LOW = "LOW", "Low"


class Status(models.TextChoices):
    OPEN = "OPEN", "Open"
    DONE = "DONE", "Done"


class Role(models.TextChoices):
    """What a share lets its holder do, lowest first; the owner can do everything (see
    todos.permissions, where every action is decided)."""

    VIEWER = "VIEWER", "Viewer"
    COMMENTER = "COMMENTER", "Commenter"
    EDITOR = "EDITOR", "Editor"


INBOX_NAME = "Inbox"


class TodoListManager(models.Manager["TodoList"]):
    def inbox_for(self, owner_id: int) -> "TodoList":
        """The owner's Inbox, created if the account has none yet (safe against a
        concurrent creation: the unique constraint decides)."""
        inbox = self.filter(owner_id=owner_id, is_inbox=True).first()
        if inbox is not None:
            return inbox
        try:
            with transaction.atomic():
                return self.create(owner_id=owner_id, name=INBOX_NAME, is_inbox=True)
        except IntegrityError:
            return self.get(owner_id=owner_id, is_inbox=True)


class TodoList(models.Model):
    """A list of one owner's todos. Every user has one Inbox (`is_inbox`), created with the
    account, which cannot be deleted or archived; new todos go there unless a list is named."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todo_lists"
    )
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_inbox = models.BooleanField(default=False, editable=False)
    archived = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = TodoListManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(is_inbox=True), name="one_inbox_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_owned_by(self, user: object) -> bool:
        return self.owner_id == getattr(user, "pk", None)


class Todo(models.Model):
    title = models.CharField(max_length=200)
    description = models.CharField(max_length=2000, blank=True)
    priority = models.CharField(max_length=7, choices=Priority.choices, default=Priority.DEFAULT)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="own_todos"
    )
    # Always one of the owner's lists: a todo changes owner only with its list.
    todo_list = models.ForeignKey(TodoList, on_delete=models.CASCADE, related_name="todos")
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_todos"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Raised by every write; an edit made on an older version is a conflict, not an overwrite.
    version = models.PositiveIntegerField(default=1)
    # Who made the latest write, for the conflict page ("changed by Duke at 14:02").
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["todo_list", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A todo saved without a list goes to its owner's Inbox; one saved into a list
        # belongs to the list's owner.
        if self.todo_list_id is None and self.owner_id is not None:
            self.todo_list = TodoList.objects.inbox_for(self.owner_id)
        elif self.todo_list_id is not None and self.owner_id is None:
            self.owner_id = self.todo_list.owner_id
        super().save(*args, **kwargs)

    def is_owned_by(self, user: object) -> bool:
        return self.owner_id == getattr(user, "pk", None)


class Share(models.Model):
    """A role given to a user on one list (covering its todos, those added later included)
    or on one todo. Where both apply, the higher role counts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares"
    )
    todo_list = models.ForeignKey(
        TodoList, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    todo = models.ForeignKey(
        Todo, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    role = models.CharField(max_length=9, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(todo_list__isnull=True, todo__isnull=False)
                | models.Q(todo_list__isnull=False, todo__isnull=True),
                name="share_of_a_list_or_a_todo",
            ),
            models.UniqueConstraint(fields=["user", "todo_list"], name="one_share_per_list"),
            models.UniqueConstraint(fields=["user", "todo"], name="one_share_per_todo"),
        ]

    def __str__(self) -> str:
        target = f"list #{self.todo_list_id}" if self.todo_list_id else f"todo #{self.todo_id}"
        return f"{self.user} as {self.get_role_display()} of {target}"


class Note(models.Model):
    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class Attachment(models.Model):
    """A file attached to a todo. `key` names the object in the attachments storage; it is
    random, never derived from `original_name`, which is kept only for display and download."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    key = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.original_name


class Reminder(models.Model):
    """A day on which the owner and collaborators are emailed about a todo.

    `claimed_at` marks a run of send_due_reminders working on it; `sent_at` that every
    recipient has been emailed; `delivered_to` the user ids emailed so far, so that a retry
    after a partial failure does not email anyone twice."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="reminders")
    remind_on = models.DateField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["remind_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["todo", "remind_on"], name="one_reminder_per_day")
        ]
        indexes = [models.Index(fields=["remind_on", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.todo} on {self.remind_on:%Y-%m-%d}"


class ChangeKind(models.TextChoices):
    CREATED = "created", "Created"
    FIELD = "field", "Changed"  # title, description, due date, priority
    STATUS = "status", "Status"
    MOVED = "moved", "Moved"
    SHARED = "shared", "Sharing"  # `field` names the person; before/after are roles
    NOTE = "note", "Note"
    FILE = "file", "File"
    REMINDER = "reminder", "Reminder"
    ASSIGNEE = "assignee", "Assignee"


class TodoChangeQuerySet(models.QuerySet["TodoChange"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("A todo's history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        # A deleted todo takes its history along (the cascade does not come through here).
        raise TypeError("A todo's history goes only with its todo.")


class TodoChange(models.Model):
    """One entry of a todo's history: who changed what, from what to what. Append-only:
    written by todos.history.record_change, never updated, deleted only with its todo.
    Values are kept as the text shown (names of people and lists, labels of priorities),
    as they were at the time."""

    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    when = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    field = models.CharField(max_length=200, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    objects = TodoChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["todo", "-when", "-id"], name="todo_history")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of todo #{self.todo_id} at {self.when:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("A todo's history is append-only.")
        super().save(*args, **kwargs)


class Watch(models.Model):
    """Someone's explicit choice to watch a todo (`watching`) or not. Without one, owners,
    Editors, and whoever commented on or is assigned to the todo watch it (todos.watching)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    todo = models.ForeignKey(Todo, on_delete=models.CASCADE, related_name="watches")
    watching = models.BooleanField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "todo"], name="one_watch_per_todo")]

    def __str__(self) -> str:
        return f"{self.user} {'watches' if self.watching else 'ignores'} todo #{self.todo_id}"
