from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from todo_project.forms import error_text
from todo_project.ratelimits import ip_key, rate_limit
from todo_project.uploads import upload_refusal
from todos.attachments import (
    AttachmentRejected,
    add_attachment,
    attachments_storage,
    delete_attachment,
    download_url,
)
from todos.forms_extras import AttachmentForm
from todos.models import Attachment
from todos.panel import panel_answer
from todos.selectors import get_todo_for_user
from todos.services import NotAllowed, TodoDeleted
from todos.views import todo_deleted_page
from tracing.breadcrumbs import note_action


@require_POST
@login_required
@rate_limit("upload-ip", rate="RATE_LIMIT_PER_IP", key=ip_key)
@rate_limit("upload", rate="RATE_LIMIT_UPLOAD")
def attachment_add(request: AuthenticatedHttpRequest, todo_id: int) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    form = AttachmentForm(request.POST, request.FILES)
    error = upload_refusal(request) or ""  # too large: refused while it streamed in
    if error:
        form.is_valid()  # the file never arrived: say why instead of "required"
        form.errors["file"] = form.error_class([error])
    elif form.is_valid():
        try:
            attachment = add_attachment(
                todo=todo, uploader=request.user, upload=form.cleaned_data["file"]
            )
        except AttachmentRejected as rejected:
            error = str(rejected)
            form.add_error("file", error)
        except TodoDeleted:
            return todo_deleted_page(request)
    else:
        error = error_text(form, "file", "The upload was rejected.")
    if error:
        return panel_answer(
            request, todo, error=f"The file was not attached: {error}", attachment_form=form
        )
    note_action(request, "add_attachment", todo_id=todo.pk)
    return panel_answer(request, todo, notice=f"“{attachment.original_name}” was attached.")


@require_GET
@login_required
def attachment_download(
    request: AuthenticatedHttpRequest, todo_id: int, attachment_id: int
) -> HttpResponseBase:
    todo = get_todo_for_user(request.user, todo_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, todo=todo)
    url = download_url(attachment)
    if url is not None:
        response: HttpResponseBase = redirect(url)
    else:
        try:
            file = attachments_storage().open(attachment.key, "rb")
        except FileNotFoundError:
            raise Http404("This file is no longer in storage.") from None
        response = FileResponse(
            file,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
    # The redirect carries a signed URL; it must not outlive its purpose in any cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def attachment_delete(
    request: AuthenticatedHttpRequest, todo_id: int, attachment_id: int
) -> HttpResponse:
    todo = get_todo_for_user(request.user, todo_id)
    attachment = get_object_or_404(
        Attachment.objects.select_related("todo"), pk=attachment_id, todo=todo
    )
    name = attachment.original_name
    try:
        delete_attachment(attachment=attachment, actor=request.user)
    except NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("todos:show", todo_id=todo.pk)
    note_action(request, "delete_attachment", todo_id=todo.pk)
    messages.success(request, f"“{name}” was deleted.")
    return redirect("todos:show", todo_id=todo.pk)
