"""The channel layer of one web process. (ActiveMQ, not the channel layer, carries events
between processes.)

channels' in-memory layer is built for tests: every send and receive sweeps all channels
and groups for expired entries (O(N²) for one event to each of N sockets), every receive
builds a throwaway asyncio.Queue, every send deep-copies the message, and each channel
keeps a full asyncio.Queue. This one implements the same interface (channels'
BaseChannelLayer with groups and flush) for what push needs: a mailbox per channel (a deque
and at most one waiting receiver), group sends that put one shared message in each
member's mailbox, and no expiry sweeps — a consumer leaves its group when it closes, and a
channel's mailbox goes with its last group.

Messages are shared between receivers, not copied: receivers must not change them.
Sending is safe from another thread or event loop (a request thread publishing without a
broker): the waiting receiver is woken on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer


@dataclass
class _Mailbox:
    messages: deque[dict[str, Any]] = field(default_factory=deque)
    waiter: asyncio.Future[None] | None = None


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class LocalChannelLayer(BaseChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(
        self,
        expiry: int = 60,
        group_expiry: int = 86400,
        capacity: int = 100,
        channel_capacity: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(expiry=expiry, capacity=capacity, channel_capacity=channel_capacity)
        self.mailboxes: dict[str, _Mailbox] = {}
        self.groups: dict[str, set[str]] = {}
        self._memberships: dict[str, int] = {}

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        self._deliver(channel, message)

    def _deliver(self, channel: str, message: dict[str, Any]) -> None:
        mailbox = self.mailboxes.setdefault(channel, _Mailbox())
        if len(mailbox.messages) >= self.get_capacity(channel):
            raise ChannelFull(channel)
        mailbox.messages.append(message)
        waiter = mailbox.waiter
        if waiter is None or waiter.done():
            return
        loop = waiter.get_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is running:
            waiter.set_result(None)
        else:
            loop.call_soon_threadsafe(_wake, waiter)

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        mailbox = self.mailboxes.setdefault(channel, _Mailbox())
        while not mailbox.messages:
            mailbox.waiter = asyncio.get_running_loop().create_future()
            try:
                await mailbox.waiter
            finally:
                mailbox.waiter = None
        return mailbox.messages.popleft()

    async def new_channel(self, prefix: str = "specific.") -> str:
        return f"{prefix}.inmemory!{uuid.uuid4().hex}"

    async def group_add(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        members = self.groups.setdefault(group, set())
        if channel not in members:
            members.add(channel)
            self._memberships[channel] = self._memberships.get(channel, 0) + 1

    async def group_discard(self, group: str, channel: str) -> None:
        self.require_valid_group_name(group)
        self.require_valid_channel_name(channel)
        members = self.groups.get(group)
        if members is None or channel not in members:
            return
        members.discard(channel)
        if not members:
            del self.groups[group]
        left = self._memberships.get(channel, 1) - 1
        if left > 0:
            self._memberships[channel] = left
        else:
            self._memberships.pop(channel, None)
            self.mailboxes.pop(channel, None)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        for channel in list(self.groups.get(group, ())):
            # A consumer that stopped reading misses this one, as upstream.
            with contextlib.suppress(ChannelFull):
                self._deliver(channel, message)

    async def flush(self) -> None:
        self.mailboxes.clear()
        self.groups.clear()
        self._memberships.clear()

    async def close(self) -> None:
        """Nothing to close: everything lives in this process's memory."""
