"""Files attached to todos: checks, storage and deletion. Views and the todo delete path
call these; nothing else touches the attachments storage."""

import logging
import posixpath
import unicodedata
import uuid

import filetype
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from accounts.models import User
from todos.events import NoticeKind, announce
from todos.history import record_change
from todos.models import Attachment, ChangeKind, Todo
from todos.permissions import Action, NotAllowed, can, require
from todos.services import lock_todo

logger = logging.getLogger(__name__)

# Only the first bytes are read to recognise a file: cheap, and enough for every magic number
# `filetype` knows (it reads 8 KiB at most).
_SNIFF_BYTES = 8192
# Types recognised by extension alone when their content has no magic number, provided the
# content is text.
_TEXT_TYPES = {"text/plain", "text/csv", "text/markdown"}
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Office documents are zip files; `filetype` names some by their parts and others only "zip".
_ZIP_BASED = {
    _DOCX,
    _XLSX,
    _PPTX,
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
# Our own table rather than `mimetypes`, whose answers depend on the machine's mime.types.
_EXTENSION_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".docx": _DOCX,
    ".xlsx": _XLSX,
    ".pptx": _PPTX,
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".zip": "application/zip",
}


class AttachmentRejected(Exception):
    """The upload breaks a rule; the message says which, for the person uploading."""


def attachments_storage() -> Storage:
    return storages["attachments"]


def clean_display_name(raw_name: str) -> str:
    """The file's own name without directories or control characters, for display (always
    escaped) and Content-Disposition only; never part of a storage key."""
    base = posixpath.basename(raw_name.replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    base = base.strip().lstrip(".")
    return base[-255:] or "file"


def check_upload(upload: UploadedFile[bytes], display_name: str) -> str:
    """The content type to store the file with, or AttachmentRejected saying why not."""
    if upload.size is None or upload.size == 0:
        raise AttachmentRejected("The file is empty.")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRejected(
            f"The file is too large ({_megabytes(upload.size)}); "
            f"the limit is {_megabytes(settings.ATTACHMENT_MAX_BYTES)}."
        )
    extension = posixpath.splitext(display_name)[1].lower()
    by_extension = _EXTENSION_TYPES.get(extension)
    allowed = set(settings.ATTACHMENT_ALLOWED_TYPES)
    if by_extension is None or by_extension not in allowed:
        raise AttachmentRejected(
            f"Files of this type ({extension or 'no extension'}) "
            f"cannot be attached. Allowed: {', '.join(_allowed_extensions(allowed))}."
        )
    head = _read_head(upload)
    sniffed = filetype.guess_mime(head)
    if not _content_matches(by_extension, sniffed, head):
        raise AttachmentRejected(f"The file's content does not match its extension ({extension}).")
    return by_extension


def add_attachment(*, todo: Todo, uploader: User, upload: UploadedFile[bytes]) -> Attachment:
    """Check and store an upload, then record it. Raises AttachmentRejected, or TodoDeleted
    if the todo went while the file was uploading (the stored object is removed again);
    NotAllowed below Editor."""
    require(uploader, Action.ATTACH, todo)
    display_name = clean_display_name(upload.name or "")
    content_type = check_upload(upload, display_name)
    # The client's own Content-Type is not trusted: the storage writes the checked one.
    upload.content_type = content_type
    key = f"todos/{todo.pk}/{uuid.uuid4().hex}"
    # The upload to S3 happens before the transaction: no lock or transaction is held across
    # the network call, only across the short insert below.
    stored_key = attachments_storage().save(key, upload)
    try:
        with transaction.atomic():
            lock_todo(todo.pk)
            attachment = Attachment.objects.create(
                todo=todo,
                uploaded_by=uploader,
                key=stored_key,
                original_name=display_name,
                content_type=content_type,
                size=upload.size or 0,
            )
            record_change(todo=todo, actor=uploader, kind=ChangeKind.FILE, after=display_name)
            announce(
                todo,
                uploader,
                NoticeKind.CHANGED,
                f"{uploader} attached “{display_name}” to “{todo.title}”.",
                event_type="attachment_added",
            )
    except BaseException:
        # Without its row, nobody could ever reach or delete the object.
        _delete_objects([stored_key])
        raise
    return attachment


def delete_attachment(*, attachment: Attachment, actor: User) -> None:
    """The todo's owner, or an Editor who uploaded it, may delete; the object goes once the
    row has."""
    if not can_delete_attachment(actor, attachment):
        raise NotAllowed("Only the todo's owner or the uploader can delete this file.")
    todo = attachment.todo
    with transaction.atomic():
        key, name = attachment.key, attachment.original_name
        attachment.delete()
        transaction.on_commit(lambda: _delete_objects([key]))
        record_change(todo=todo, actor=actor, kind=ChangeKind.FILE, before=name)
        announce(
            todo,
            actor,
            NoticeKind.CHANGED,
            f"{actor} deleted “{name}” from “{todo.title}”.",
            event_type="attachment_deleted",
        )


def delete_attachment_objects_on_commit(todo: Todo) -> None:
    """Call inside the transaction that deletes `todo`: its stored files go after commit,
    so a rolled-back delete keeps them."""
    keys = list(Attachment.objects.filter(todo=todo).values_list("key", flat=True))
    if keys:
        transaction.on_commit(lambda: _delete_objects(keys))


def download_url(attachment: Attachment) -> str | None:
    """A short-lived presigned URL for S3 storage; None when the storage has no URLs (local
    files), in which case the caller streams the file itself."""
    storage = attachments_storage()
    if not isinstance(storage, S3Storage):
        return None
    url: str = storage.url(
        attachment.key,
        parameters={
            "ResponseContentDisposition": content_disposition_header(
                as_attachment=True, filename=attachment.original_name
            ),
            "ResponseContentType": attachment.content_type,
        },
    )
    return url


def _delete_objects(keys: list[str]) -> None:
    storage = attachments_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            # The row is gone already; an orphaned object costs storage, not correctness.
            logger.exception("could not delete attachment object %s", key)


def can_delete_attachment(user: User, attachment: Attachment) -> bool:
    todo = attachment.todo
    return can(user, Action.DELETE, todo) or (
        attachment.uploaded_by_id == user.pk and can(user, Action.ATTACH, todo)
    )


def _read_head(upload: UploadedFile[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _content_matches(by_extension: str, sniffed: str | None, head: bytes) -> bool:
    if by_extension in _TEXT_TYPES:
        return sniffed is None and _looks_like_text(head)
    if sniffed == by_extension:
        return True
    return by_extension in _ZIP_BASED and sniffed in {"application/zip", *_ZIP_BASED}


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A full sample may end in the middle of a multi-byte character.
        return len(head) == _SNIFF_BYTES and error.start >= len(head) - 3
    return True


def _allowed_extensions(allowed: set[str]) -> list[str]:
    return sorted(extension for extension, mime in _EXTENSION_TYPES.items() if mime in allowed)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
