"""The second-factor code an authenticator app shows (RFC 6238), for the load test's manager.

Plain standard library, so locust's process needs nothing of Django; tests/bench/test_load.py
checks it against django-otp's own computation.
"""

import hashlib
import hmac
import struct
import time


def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code for `at` (now by default), as django-otp's TOTPDevice computes it (t0=0, SHA-1)."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"
