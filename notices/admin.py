from django.contrib import admin
from django.http import HttpRequest

from notices.models import NoticePreferences, PendingNotice


@admin.register(NoticePreferences)
class NoticePreferencesAdmin(admin.ModelAdmin[NoticePreferences]):
    list_display = ["user", "shared", "changed", "commented", "completed", "due_soon", "updated"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(PendingNotice)
class PendingNoticeAdmin(admin.ModelAdmin[PendingNotice]):
    """To look into, not to change: the worker owns these rows."""

    list_display = ["user", "todo", "send_after", "queued_at", "emailed_at"]
    list_filter = ["emailed_at"]
    search_fields = ["user__username", "todo__title"]
    list_select_related = ["user", "todo"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
