import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Refuse to serve without valid keys (gunicorn does not run system checks by itself).
from privacy.checks import check_keys  # noqa: E402

if errors := check_keys():
    raise SystemExit("Przystań refuses to start: " + " ".join(e.msg for e in errors))
