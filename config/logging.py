"""Log lines without personal data: a filter that strips it, and a one-JSON-object-a-line format.

Exception messages and variable values can carry a client's data (a form value in a
ValidationError, a name in a KeyError), so a logged exception keeps only its type and the
places it passed through (file, line, function), never its message or locals. A query string
can carry what someone searched for (a surname), so no line keeps one: a request is logged by
its method, its route pattern and its path (whose only variable parts are record ids).
"""

import contextvars
import datetime
import json
import logging
import re
import traceback

# The id of the request being served (config.middleware.RequestIdMiddleware), for every line
# logged while it is served.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# "?" and what follows, up to a space, a quote or the end (runserver: "GET /x/?q=a HTTP/1.1").
_QUERY_STRING = re.compile(r"\?[^\s\"]*")


class PrivacyFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            frames = traceback.extract_tb(tb)
            where = " <- ".join(
                f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}:{frame.name}"
                for frame in reversed(frames[-8:])
            )
            record.msg = f"{record.getMessage()} [{exc_type.__name__} at {where}]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        # Django's development server logs the request line with its query string.
        if record.name == "django.server" and record.args:
            record.args = tuple(
                _QUERY_STRING.sub("", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        # Django's request logger attaches the request: keep its method and route pattern
        # (never the query string); its repr is never formatted here.
        request = getattr(record, "request", None)
        if request is not None:
            record.method = getattr(request, "method", "") or ""
            match = getattr(request, "resolver_match", None)
            record.route = getattr(match, "route", "") or ""
            record.path = getattr(request, "path", "") or ""
        if hasattr(record, "request"):
            record.request = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, and for
    a request's line method, route, path and status_code. Run after PrivacyFilter (the handler's
    filter), which has already stripped what must not be logged."""

    REQUEST_FIELDS = ("method", "route", "path", "status_code")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id.get(),
        }
        for field in self.REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value not in (None, ""):
                line[field] = value
        # A record that did not pass PrivacyFilter still never carries a message or locals of
        # an exception: the type only.
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)
