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
    path("lists/<int:list_id>/collaborations", views.share_list, name="share_list"),
    path("lists/<int:list_id>/sharing", views.list_sharing, name="list_sharing"),
    path(
        "todo/<int:target_id>/people/<int:user_id>/role",
        views.change_role_view,
        {"kind": "todo"},
        name="todo_role",
    ),
    path(
        "todo/<int:target_id>/people/<int:user_id>/revoke",
        views.revoke,
        {"kind": "todo"},
        name="todo_revoke",
    ),
    path("todo/<int:todo_id>/people/<int:user_id>/transfer", views.transfer, name="transfer"),
    path(
        "lists/<int:target_id>/people/<int:user_id>/role",
        views.change_role_view,
        {"kind": "list"},
        name="list_role",
    ),
    path(
        "lists/<int:target_id>/people/<int:user_id>/revoke",
        views.revoke,
        {"kind": "list"},
        name="list_revoke",
    ),
    path("invitations/<int:invitation_id>", views.invitation, name="invitation"),
    path("invitations/<int:invitation_id>/register", views.register_invited, name="register"),
    path("invitations/<int:invitation_id>/resend", views.resend, name="resend"),
    path(
        "invitations/<int:invitation_id>/withdraw",
        views.withdraw_invitation_view,
        name="withdraw_invitation",
    ),
    path("dev/mailbox", views.mailbox, name="mailbox"),
]
