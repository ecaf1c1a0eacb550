"""A Django cache backend for counters, in PostgreSQL: what django-ratelimit needs.

django-ratelimit adds a counter for each key and window and then increments it. Django's
DatabaseCache increments by reading and writing the value back (two requests at once count
once) and resets the expiry on every write; here an increment is one atomic UPDATE … SET
count = count + 1, and a counter keeps the expiry it was added with. Only what counters
need is stored: integers.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import RateLimitCounter

# Expired counters are deleted now and then, by a sample of the adds.
CULL_PROBABILITY = 0.01


class CounterCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _expiry(self, timeout: Any) -> datetime.datetime:
        seconds = self.get_backend_timeout(timeout)
        if seconds is None:
            seconds = 10 * 365 * 24 * 3600
        return timezone.now() + datetime.timedelta(seconds=seconds)

    def _live(self, key: str) -> Any:
        return RateLimitCounter.objects.filter(key=key, expires__gt=timezone.now())

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        expires = self._expiry(timeout)
        if random.random() < CULL_PROBABILITY:  # noqa: S311
            RateLimitCounter.objects.filter(expires__lte=timezone.now()).delete()
        # An expired counter of the same key is taken over, as a cache would have dropped it.
        if RateLimitCounter.objects.filter(key=key, expires__lte=timezone.now()).update(
            count=int(value), expires=expires
        ):
            return True
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(key=key, count=int(value), expires=expires)
        except IntegrityError:
            return False
        return True

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        found = self._live(key).values_list("count", flat=True).first()
        return default if found is None else found

    def set(
        self,
        key: Any,
        value: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        RateLimitCounter.objects.update_or_create(
            key=key, defaults={"count": int(value), "expires": self._expiry(timeout)}
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self._live(key).update(expires=self._expiry(timeout)))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        if not self._live(key).update(count=F("count") + delta):
            raise ValueError(f"Key '{key}' not found")
        value: int = RateLimitCounter.objects.values_list("count", flat=True).get(key=key)
        return value

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        deleted, _ = RateLimitCounter.objects.filter(key=key).delete()
        return bool(deleted)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self._live(key).exists())

    def clear(self) -> None:
        RateLimitCounter.objects.all().delete()
