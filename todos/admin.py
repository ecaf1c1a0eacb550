from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from todos.models import Attachment, Note, Reminder, Share, Todo, TodoChange, TodoList
from todos.services import remove_todo


class NoteInline(admin.TabularInline[Note, Todo]):
    model = Note
    extra = 0
    fields = ["text", "author", "created"]
    readonly_fields = ["created"]
    raw_id_fields = ["author"]


class AttachmentInline(admin.TabularInline[Attachment, Todo]):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "key", "created")
    # Rows only: adding or editing here would bypass the upload checks and the storage.
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Todo | None = None) -> bool:
        return False


class ReminderInline(admin.TabularInline[Reminder, Todo]):
    model = Reminder
    extra = 0
    fields = ["remind_on", "claimed_at", "sent_at", "delivered_to"]
    readonly_fields = ["claimed_at", "sent_at", "delivered_to"]


class TodoChangeInline(admin.TabularInline[TodoChange, Todo]):
    """The todo's history, to read: it is append-only (todos.history)."""

    model = TodoChange
    extra = 0
    fields = ("when", "actor", "kind", "field", "before", "after")
    readonly_fields = fields
    can_delete = False
    ordering = ["-when", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Todo | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Todo | None = None) -> bool:
        return False


class ShareInline(admin.TabularInline[Share, Todo]):
    model = Share
    fk_name = "todo"
    extra = 0
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]
    raw_id_fields = ["user"]


class ListShareInline(admin.TabularInline[Share, TodoList]):
    model = Share
    fk_name = "todo_list"
    extra = 0
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]
    raw_id_fields = ["user"]


@admin.register(TodoList)
class TodoListAdmin(admin.ModelAdmin[TodoList]):
    list_display = ["name", "owner", "is_inbox", "archived", "created"]
    list_filter = ["is_inbox", "archived"]
    search_fields = ["name", "owner__username", "owner__email"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    inlines = [ListShareInline]


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin[Todo]):
    list_display = ["title", "owner", "priority", "status", "due_date", "created"]
    list_filter = ["status", "priority", "due_date", "created"]
    search_fields = ["title", "description", "owner__username", "owner__email"]
    date_hierarchy = "due_date"
    raw_id_fields = ["owner", "todo_list", "assignees"]
    list_select_related = ["owner"]
    inlines = [ShareInline, NoteInline, AttachmentInline, ReminderInline, TodoChangeInline]

    # Through the service, so that a todo deleted here takes its stored files with it.
    def delete_model(self, request: HttpRequest, obj: Todo) -> None:
        remove_todo(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Todo]) -> None:
        for todo in queryset:
            remove_todo(todo)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin[Note]):
    list_display = ["text", "todo", "author", "created"]
    list_filter = ["created"]
    search_fields = ["text", "todo__title", "author__username"]
    raw_id_fields = ["todo", "author"]
    list_select_related = ["todo", "author"]
