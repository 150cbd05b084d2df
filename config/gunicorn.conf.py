"""gunicorn's settings for Przystań: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Read docs/operations.md ("gunicorn") for the reasoning and the measurements. In short:

- gthread workers: each process serves several requests at once on threads, so a sign-in
  (Argon2, about 50 ms of one core) or a slow PDF holds one thread, not a whole process, and the
  bed board keeps being served beside it. Django's ORM keeps one connection per thread.
- Defaults for a two-core server: 2 processes x 4 threads. Past the cores, more processes only
  add memory and PostgreSQL connections; threads wait on the database and on Argon2, which
  releases Python's GIL.
- No control socket (gunicorn 27 otherwise creates one in the home folder).
- The access log holds no personal data: the path without its query string (a search for a
  surname travels in `?q=`), no referrer (it carries the previous page's query string), no user
  agent, no remote address; ids in paths are opaque numbers and UUIDs, never names.

Every knob is an environment variable (GUNICORN_*), checked loudly as config/env.py does.
"""

import os


def _int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise SystemExit(f"{name}={value} must be between {minimum} and {maximum}")
    return value


wsgi_app = "config.wsgi:application"
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
if worker_class not in {"gthread", "sync"}:
    raise SystemExit(f"GUNICORN_WORKER_CLASS={worker_class!r} must be gthread or sync")
workers = _int("GUNICORN_WORKERS", 2, minimum=1, maximum=64)
threads = _int("GUNICORN_THREADS", 4, minimum=1, maximum=64)
# A request that takes longer than this is killed (the worker restarts): a report's PDF of a
# large month is the slowest page we know, well under it.
timeout = _int("GUNICORN_TIMEOUT", 60, minimum=5, maximum=600)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1, maximum=600)
# Longer than the proxy's own idle timeout (nginx: 60 s), so the proxy closes an idle connection
# first: a server closing it just as a request is sent on it resets that request (the load test
# met one such reset with 5 s).
keepalive = _int("GUNICORN_KEEPALIVE", 75, minimum=1, maximum=300)
# Recycle a worker now and then (with jitter, so they do not all restart at once).
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000, minimum=0, maximum=10**7)
max_requests_jitter = max_requests // 10

control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# time, method, path without query, status, bytes, milliseconds, the request's opaque id.
access_log_format = "%(t)s %(m)s %(U)s %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s"
# The proxy in front (BEHIND_TLS_PROXY) is on the same machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
