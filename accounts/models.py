from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in through Cognito. `username` is the Cognito username."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class RateLimitCounter(models.Model):
    """One rate-limit counter (a key and its time window), shared by every process through
    the database: the "ratelimit" cache of accounts/ratelimit_cache.py."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.BigIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
