from django.contrib import admin

from todos.models import Note, Todo


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ["text", "author", "created"]
    readonly_fields = ["created"]
    raw_id_fields = ["author"]


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "priority", "status", "due_date", "created"]
    list_filter = ["status", "priority", "due_date", "created"]
    search_fields = ["title", "description", "owner__username", "owner__email"]
    date_hierarchy = "due_date"
    raw_id_fields = ["owner"]
    filter_horizontal = ["collaborators"]
    list_select_related = ["owner"]
    inlines = [NoteInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["text", "todo", "author", "created"]
    list_filter = ["created"]
    search_fields = ["text", "todo__title", "author__username"]
    raw_id_fields = ["todo", "author"]
    list_select_related = ["todo", "author"]
