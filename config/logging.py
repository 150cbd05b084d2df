"""A logging filter that keeps personal data out of log lines.

Exception messages and variable values can carry a client's data (a form value in a
ValidationError, a name in a KeyError), so a logged exception keeps only its type and the
places it passed through (file, line, function), never its message or locals.
"""

import logging
import traceback


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
        # Django's request logger attaches the request; its repr is never formatted here.
        if hasattr(record, "request"):
            record.request = None
        return True
