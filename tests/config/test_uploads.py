"""Uploads are refused early: a body over the limit is never read, a file over the limit never kept.

The outside review found the document's size checked only after the whole body had arrived
(and, past 11 MB, been written to a temporary file on disk in clear).
"""

import io
import os
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, encode_multipart

from cases.models import Document
from config.uploads import LimitedUploadHandler, RefusedUpload
from privacy.models import EncryptedFile
from tests.factories import make_client

MB = 1024 * 1024
PDF_HEAD = b"%PDF-1.4\n% synthetic scan\n"


def pdf_of(size: int) -> bytes:
    """A synthetic 'PDF' of exactly `size` bytes (typed by its first bytes)."""
    return PDF_HEAD + b"0" * (size - len(PDF_HEAD))


class CountingInput(io.BytesIO):
    """A request body that counts how many of its bytes were read."""

    consumed = 0

    def read(self, size=-1):
        data = super().read(size)
        self.consumed += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.consumed += len(data)
        return data


def vault_files() -> list[str]:
    folder = settings.MEDIA_ROOT / "vault"
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture
def own_client(social_worker):
    return make_client(first_name="Marianna", surname="Cisowska", holder=social_worker)


def upload(client, person, content: bytes):
    return client.post(
        f"/clients/{person.pk}/documents/",
        {
            "kind": "other",
            "title": "Skan zaświadczenia",
            "file": SimpleUploadedFile("skan.pdf", content, content_type="application/pdf"),
        },
    )


@override_settings(DOCUMENT_MAX_BYTES=1 * MB)
def test_an_oversize_document_is_refused_with_the_translated_error_and_nothing_is_stored(
    client, social_worker, own_client
):
    client.force_login(social_worker)
    before = vault_files()
    response = upload(client, own_client, pdf_of(1 * MB + 1))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"] == ["Plik jest za duży (najwyżej 1 MB)."]
    assert "Plik jest za duży (najwyżej 1 MB)." in response.content.decode()
    assert not Document.objects.exists()
    assert not EncryptedFile.objects.exists()
    assert vault_files() == before


@override_settings(DOCUMENT_MAX_BYTES=1 * MB)
def test_a_document_of_exactly_the_limit_is_stored_whole(client, social_worker, own_client):
    client.force_login(social_worker)
    content = pdf_of(1 * MB)
    response = upload(client, own_client, content)
    assert response.status_code == 302
    document = Document.objects.get()
    assert client.get(f"/clients/{own_client.pk}/documents/{document.pk}/").content == content


@override_settings(DOCUMENT_MAX_BYTES=256 * 1024)
def test_the_handler_stops_keeping_a_file_at_the_limit(rf):
    # 256 KiB allowed, 456 KiB sent: the parser hands the handler 64 KiB chunks.
    limit, sent = 256 * 1024, 456 * 1024
    body = encode_multipart(
        BOUNDARY, {"title": "x", "file": SimpleUploadedFile("a.pdf", pdf_of(sent))}
    )
    request = rf.generic("POST", "/", data=body, content_type=MULTIPART_CONTENT)
    handler = LimitedUploadHandler(request)
    stream = CountingInput(body)
    post, files = MultiPartParser(request.META, stream, [handler], encoding="utf-8").parse()
    refused = files["file"]
    assert isinstance(refused, RefusedUpload)
    assert refused.too_large and refused.size == sent
    assert refused.read() == b""
    assert post["title"] == "x"
    # Every byte of the file went past the handler (Django reads a part to its end)...
    assert handler.received == sent
    # ...but it never held more than the limit, and holds nothing now.
    assert limit - handler.chunk_size < handler.peak <= limit
    assert handler.kept == 0 and handler.buffer.getbuffer().nbytes == 0
    # The body was read once, to its end (at most REQUEST_MAX_BYTES, see the next test).
    assert stream.consumed == len(body)


@override_settings(DOCUMENT_MAX_BYTES=256 * 1024)
def test_a_file_within_the_limit_is_kept_in_memory_not_on_disk(rf):
    content = pdf_of(200 * 1024)
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.pdf", content)})
    request = rf.generic("POST", "/", data=body, content_type=MULTIPART_CONTENT)
    handler = LimitedUploadHandler(request)
    _, files = MultiPartParser(request.META, io.BytesIO(body), [handler], encoding="utf-8").parse()
    kept = files["file"]
    assert kept.read() == content
    assert not hasattr(kept, "temporary_file_path")
    assert settings.FILE_UPLOAD_HANDLERS == ["config.uploads.LimitedUploadHandler"]


@override_settings(REQUEST_MAX_BYTES=1 * MB)
def test_a_request_over_the_size_limit_is_answered_413_without_reading_its_body(
    client, social_worker, own_client
):
    client.force_login(social_worker)
    body = encode_multipart(
        BOUNDARY,
        {"kind": "other", "title": "x", "file": SimpleUploadedFile("a.pdf", pdf_of(2 * MB))},
    )
    stream = CountingInput(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/clients/{own_client.pk}/documents/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": client.cookies.output(header="", sep=";"),
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    assert response.status_code == 413
    assert stream.consumed == 0
    html = response.content.decode()
    assert "plik może mieć najwyżej 10 MB" in html
    assert not Document.objects.exists()


def test_the_limits_are_set_deliberately():
    # A whole request: one document (10 MB by default) plus the form's other fields (1 MB).
    assert settings.DOCUMENT_MAX_BYTES == 10 * MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == settings.DOCUMENT_MAX_BYTES
    assert settings.REQUEST_MAX_BYTES == 11 * MB
    assert "config.uploads.RequestSizeLimitMiddleware" in settings.MIDDLEWARE
