"""The session store: Django's database sessions, whose read brings the erasure epoch along.

Every signed-in request reads its session row first. The vault must know the erasure epoch before
it trusts a key it cached before the request began (privacy/vault.py): read in the same
statement, the epoch costs no round trip of its own (a page otherwise spends one on it). The
statement begins after the request did, so the epoch it reads is as fresh as the vault's own
query would be. Nothing else changes: the same table, the same expiry, the same answers.

The statement is written once (Django's store builds its query with the ORM on every request)
and, on PostgreSQL, prepared once per connection (config/compiled.py).
"""

import time

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from config.compiled import prepared_cursor
from privacy import vault
from privacy.models import VaultEpoch


def _statement() -> str:
    quote = connection.ops.quote_name
    session, epoch = quote(Session._meta.db_table), quote(VaultEpoch._meta.db_table)
    # Names from the models; the key and the time are parameters.
    return (
        f"SELECT s.session_data, (SELECT e.value FROM {epoch} e WHERE e.id = 1) "  # noqa: S608
        f"FROM {session} s WHERE s.session_key = %s AND s.expire_date > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # As Django's store: no key, or no unexpired row, is no session (and no key).
        if self.session_key is None:
            return None
        began = time.monotonic()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor() as cursor:
            cursor.execute(_statement(), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, epoch = row
        vault.epoch_seen(epoch, query_began_at=began)
        # `load()` reads the data alone; the expiry is the session's own (in its data).
        return self.model(session_key=self.session_key, session_data=session_data)
