"""Django's database sessions, with the one query that every logged-in request makes
written out.

Loading the session runs on each request that carries a session cookie, before anything
else the page does; through the ORM, building and compiling that query cost more CPU than
the database spent on it (bench/dashboard.py). Creating, saving, deleting and expiring
sessions are Django's database backend unchanged, in the same table.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

LOAD_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(LOAD_SQL, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # missing or expired: a new session, as Django's backend does
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
