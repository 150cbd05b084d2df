"""Uploads: refused early, kept in memory only, never held past the document limit.

Three limits, outermost first (docs/operations.md, "Uploads"):

1. The reverse proxy's own limit (nginx `client_max_body_size`) refuses a large body before it
   reaches the application at all.
2. `RequestSizeLimitMiddleware` answers 413 to a request whose Content-Length is over
   REQUEST_MAX_BYTES (a document plus the form around it) before anything reads the body.
3. `LimitedUploadHandler` (the only entry of FILE_UPLOAD_HANDLERS) keeps each uploaded file in
   memory, and once a file passes DOCUMENT_MAX_BYTES it keeps nothing more of it: what it held is
   dropped, the rest of the part is discarded as it streams by, and the form receives a
   `RefusedUpload` in its place, which `LimitedFileField` turns into a clear, translated error.

Why not raise SkipFile or StopUpload: either makes the file vanish from request.FILES, so the
form could only say "this field is required"; Django still reads the rest of the body to its end
(SkipFile to find the next part, StopUpload without a connection reset to answer at all), and a
connection reset shows the person a browser error instead of the form. The rest of the body is
at most REQUEST_MAX_BYTES - DOCUMENT_MAX_BYTES, thanks to limit 2, and none of it is kept.

Django's own handlers write a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file
on disk, in clear: documents are personal data, so ours never writes to disk (the vault
encrypts the bytes before they are stored, privacy/files.py).
"""

from io import BytesIO

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def _limit_mb() -> int:
    return settings.DOCUMENT_MAX_BYTES // (1024 * 1024)


class RefusedUpload(UploadedFile):
    """Stands in for a file refused for its size: no content, the size that was sent."""

    too_large = True

    def __init__(self, *, field_name: str, name: str, content_type: str, size: int):
        super().__init__(file=BytesIO(), name=name, content_type=content_type, size=size)
        self.field_name = field_name


class LimitedUploadHandler(FileUploadHandler):
    """Each uploaded file in memory, up to DOCUMENT_MAX_BYTES; past that, nothing of it.

    `received` counts the bytes of the current file handed to the handler, `kept` those it holds
    (never more than the limit), `peak` the most it ever held.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.DOCUMENT_MAX_BYTES
        self.buffer = BytesIO()
        self.received = self.kept = self.peak = 0
        self.too_large = False
        # This handler keeps the file: no other handler stores a copy of it.
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if not self.too_large and self.received > self.limit:
            # Over the limit: let go of what was kept and keep nothing more of this file.
            self.too_large = True
            self.buffer = BytesIO()
            self.kept = 0
        if not self.too_large:
            self.buffer.write(raw_data)
            self.kept += len(raw_data)
            self.peak = max(self.peak, self.kept)
        # None: the chunk goes to no later handler either.
        return None

    def file_complete(self, file_size):
        if self.too_large:
            return RefusedUpload(
                field_name=self.field_name,
                name=self.file_name,
                content_type=self.content_type,
                size=file_size,
            )
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class LimitedFileField(forms.FileField):
    """A file field that refuses a file over DOCUMENT_MAX_BYTES with a clear message."""

    def validate(self, value):
        super().validate(value)
        too_large = getattr(value, "too_large", False) or (
            value and value.size > settings.DOCUMENT_MAX_BYTES
        )
        if too_large:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB)."),
                code="too_large",
                params={"mb": _limit_mb()},
            )


class RequestSizeLimitMiddleware:
    """Answer 413 to a request that declares a body over REQUEST_MAX_BYTES, unread.

    It runs before anything looks at request.POST (CSRF's check reads it in process_view), so
    not one byte of such a body is read. A body without a Content-Length is not read by Django
    under WSGI at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.REQUEST_MAX_BYTES:
            return render(request, "413.html", {"limit_mb": _limit_mb()}, status=413)
        return self.get_response(request)
