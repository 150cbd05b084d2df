"""Test settings: the project's settings module, fed a test environment.

Only environment variables are set here; config.settings reads them as it would in production.
DATABASE_URL, when present (CI's PostgreSQL run), is kept.
"""

import base64
import copy
import os
import tempfile


def _random_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SECRET_KEY", "test-" + "x" * 60)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("PRZYSTAN_VAR_DIR", tempfile.mkdtemp(prefix="przystan-test-"))
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
# Fresh random keys for every test process: real encryption, never a fixed test key.
os.environ.setdefault("PRZYSTAN_KEKS", f"test-1:{_random_key()}")
os.environ.setdefault("PRZYSTAN_INDEX_KEY", _random_key())
os.environ.setdefault("PRZYSTAN_AUDIT_KEY", _random_key())

from config.settings import *  # noqa: E402,F403

# Fast hashing in tests only; production keeps Argon2 first (asserted by a test).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "tests.vaulttest"]  # noqa: F405

# A second database for the read replica's tests (tests/config/test_replica.py): an empty one
# of its own, created only for the tests that ask for it (`databases=[..., "replica"]`), its
# tables made from the models (a replica is never migrated: it follows the primary). The
# reports read it only where a test sets PRZYSTAN_REPORTS_DATABASE = "replica".
DATABASES["replica"] = copy.deepcopy(DATABASES["default"])  # noqa: F405
DATABASES["replica"]["TEST"] = {"MIGRATE": False}  # noqa: F405
if DATABASES["replica"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["replica"]["TEST"]["NAME"] = f"test_{DATABASES['default']['NAME']}_replica"  # noqa: F405
