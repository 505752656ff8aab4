"""Django's database sessions, read back with one statement written once.

Every request of a signed-in user reads its session; through the ORM that statement is
compiled again each time (a third of a millisecond, as much as running it). The same
query, the same expiry rule and the same handling of a missing or expired session as
``django.contrib.sessions.backends.db``; writing is Django's own.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# The keys this store makes (Django's: 32 of a–z and 0–9). A cookie holding anything else
# is no session, never a statement: PostgreSQL refuses a NUL byte in text with an error.
_KEY = re.compile(r"[a-z0-9]{8,64}", re.ASCII)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return isinstance(key, str) and _KEY.fullmatch(key) is not None

    def load(self):
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        statement = (
            f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)} "  # noqa: S608 - names only
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a new session is made on the next save
            return {}
        return self.decode(row[0])
