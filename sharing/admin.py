from django.contrib import admin

from sharing.models import CollaborationRequest


@admin.register(CollaborationRequest)
class CollaborationRequestAdmin(admin.ModelAdmin[CollaborationRequest]):
    list_display = ("todo", "collaborator", "created", "queued_at", "emailed_at")
    list_filter = ("emailed_at", "queued_at")
    search_fields = ("todo__title", "collaborator__username", "collaborator__email")
    list_select_related = ("todo", "collaborator")
    raw_id_fields = ("todo", "collaborator")
    # Only the token's hash is stored, and even that is not shown.
    exclude = ("token_hash",)
    readonly_fields = ("created", "queued_at", "email_claimed_at", "emailed_at")
