"""The session store: Django's database sessions, whose read brings the erasure epoch along.

Every signed-in request reads its session row first. The vault must know the erasure epoch before
it trusts a key it cached before the request began (privacy/vault.py): read in the same
statement, the epoch costs no round trip of its own (a page otherwise spends one on it). The
statement begins after the request did, so the epoch it reads is as fresh as the vault's own
query would be. Nothing else changes: the same table, the same expiry, the same answers.
"""

import logging
import time

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from privacy import vault


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        began = time.monotonic()
        try:
            session = self.model.objects.annotate(erasure_epoch=vault.epoch_subquery()).get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            # As Django's own store does.
            if isinstance(error, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
                logger.warning(str(error))
            self._session_key = None
            return None
        vault.epoch_seen(session.erasure_epoch, query_began_at=began)
        return session
