"""Flash messages stay on the server: no message, and so no name in one, travels in a cookie.

The outside review found "Sala 4 / 6 zarezerwowane dla: Ryszard D." in a cookie: Django's
default storage keeps messages in a signed cookie, which anyone holding it can read (signed is
not encrypted). Messages now live in the session, whose cookie carries only an opaque key.
"""

import base64
import binascii
import contextlib
import json
import zlib
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import redirect
from django.test import override_settings
from django.urls import path

import config.urls

SURNAME = "Dębowski"
MESSAGE = f"Sala 4 / 6 zarezerwowane dla: Ryszard {SURNAME}"


@login_required
def _flash(request):
    """A message naming a client, as the bed board's once did (`repeat` makes it longer)."""
    messages.success(request, MESSAGE * int(request.GET.get("repeat", "1")))
    return redirect("accounts:home")


urlpatterns = [path("test-flash/", _flash), *config.urls.urlpatterns]


def readings(value: str) -> list[str]:
    """Every way a cookie value can be read without a key: as is, unquoted, base64, zlib, JSON."""
    texts = [value, unquote(value)]
    for part in unquote(value).replace('"', "").split(":"):
        compressed = part.startswith(".")
        part = part.lstrip(".")
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        if compressed:
            try:
                raw = zlib.decompress(raw)
            except zlib.error:
                continue
        text = raw.decode("utf-8", errors="replace")
        texts.append(text)
        # JSON writes "ę" as "\u0119": read it back as the letter.
        with contextlib.suppress(ValueError):
            texts.append(json.dumps(json.loads(text), ensure_ascii=False))
    return texts


def cookies_naming(responses, word: str) -> list[str]:
    """The names of the cookies, set by any of `responses`, that reveal `word` when read."""
    return [
        morsel.key
        for response in responses
        for morsel in response.cookies.values()
        if any(word in text for text in readings(morsel.value))
    ]


@override_settings(ROOT_URLCONF=__name__)
def test_a_message_naming_a_client_never_travels_in_a_cookie(client, shelter_staff):
    client.force_login(shelter_staff)
    first = client.get("/test-flash/")
    assert first.status_code == 302
    page = client.get(first.url, follow=True)
    # The message is shown on the page the redirect leads to...
    assert MESSAGE in page.content.decode()
    # ...and no response on the way set a cookie from which the name can be read.
    assert cookies_naming([first, page], SURNAME) == []
    assert CookieStorage.cookie_name not in first.cookies
    assert all(SURNAME not in header for header in first.headers.values())
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"


@override_settings(
    ROOT_URLCONF=__name__,
    MESSAGE_STORAGE="django.contrib.messages.storage.cookie.CookieStorage",
)
@pytest.mark.parametrize("repeat", [1, 40])
def test_the_cookie_reader_finds_the_name_in_djangos_cookie_storage(client, shelter_staff, repeat):
    # The check above can fail: with the cookie storage the name is read back from the cookie
    # (a short message is stored as base64, a long one compressed first).
    client.force_login(shelter_staff)
    first = client.get(f"/test-flash/?repeat={repeat}")
    assert cookies_naming([first], SURNAME) == [CookieStorage.cookie_name]
