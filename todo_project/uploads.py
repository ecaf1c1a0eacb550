"""Uploads larger than ATTACHMENT_MAX_BYTES are refused while they stream in.

Django's upload handlers see the request body chunk by chunk. This one, first in
FILE_UPLOAD_HANDLERS, stops the parse as soon as the declared Content-Length or the bytes
of one file pass the limit (StopUpload with connection_reset: the rest of the body is never
read) and leaves the reason on the request for the view to show.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
REFUSAL_ATTRIBUTE = "upload_refused"


def upload_refusal(request: HttpRequest) -> str | None:
    """Why the upload handler stopped reading this request's body, if it did."""
    reason: str | None = getattr(request, REFUSAL_ATTRIBUTE, None)
    return reason


def too_large_message() -> str:
    megabytes = settings.ATTACHMENT_MAX_BYTES / (1024 * 1024)
    return f"The file is too large; the limit is {megabytes:.1f} MB."


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.declared_length = 0
        self.received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.declared_length = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.declared_length > settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            self._refuse()
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, REFUSAL_ATTRIBUTE, too_large_message())
        raise StopUpload(connection_reset=True)
