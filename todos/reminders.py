"""Reminder dates on todos, and emailing them when they fall due.

Sending is exactly-once per reminder and person. A run claims a reminder with one conditional
UPDATE, so a second run (or a second process at the same moment) finds nothing to claim. A
failed email releases the claim and keeps the ids of those already emailed, so the next run
retries only the rest. A run that dies holding a claim loses it after
REMINDER_CLAIM_TIMEOUT_SECONDS, when a later run takes it over.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from todo_project.emails import send_email
from todos.events import NoticeKind, announce
from todos.history import record_change
from todos.models import ChangeKind, Reminder, Status, Todo
from todos.permissions import Action, audience, require
from todos.services import lock_todo

logger = logging.getLogger(__name__)


class ReminderRejected(Exception):
    """The reminder date breaks a rule; the message says which."""


def add_reminder(*, todo: Todo, actor: User, remind_on: datetime.date) -> Reminder:
    """Raises ReminderRejected, NotAllowed below Editor, or TodoDeleted if the todo is
    gone."""
    require(actor, Action.REMIND, todo)
    today = timezone.localdate()
    if remind_on < today:
        raise ReminderRejected("A reminder cannot be in the past.")
    with transaction.atomic():
        # Locked: the due date checked is the one saved, and a delete cannot pass the insert.
        todo = lock_todo(todo.pk)
        if todo.due_date is not None and remind_on > todo.due_date:
            raise ReminderRejected(
                f"A reminder cannot be after the due date ({todo.due_date:%Y-%m-%d})."
            )
        reminder, created = Reminder.objects.get_or_create(todo=todo, remind_on=remind_on)
        if created:
            record_change(todo=todo, actor=actor, kind=ChangeKind.REMINDER, after=remind_on)
    if not created:
        raise ReminderRejected(f"There is a reminder on {remind_on:%Y-%m-%d} already.")
    announce(
        todo,
        actor,
        NoticeKind.CHANGED,
        f"{actor} set a reminder on “{todo.title}” for {_day(remind_on)}.",
        event_type="reminder_added",
    )
    return reminder


def _day(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def delete_reminder(*, reminder: Reminder, actor: User) -> None:
    todo = reminder.todo
    require(actor, Action.REMIND, todo)
    with transaction.atomic():
        reminder.delete()
        record_change(todo=todo, actor=actor, kind=ChangeKind.REMINDER, before=reminder.remind_on)
    announce(
        todo,
        actor,
        NoticeKind.CHANGED,
        f"{actor} removed the reminder on “{todo.title}” for {_day(reminder.remind_on)}.",
        event_type="reminder_removed",
    )


@dataclass
class ReminderRun:
    sent: int = 0  # reminders finished in this run
    emails: int = 0
    failed: list[int] = field(default_factory=list)  # reminder ids released for a retry


def due_reminders(today: datetime.date) -> list[int]:
    """Ids of unsent reminders of open todos on or before `today` (a day missed by a failed
    run is caught up on the next one)."""
    return list(
        Reminder.objects.filter(
            remind_on__lte=today, sent_at__isnull=True, todo__status=Status.OPEN
        ).values_list("pk", flat=True)
    )


def send_due_reminders(today: datetime.date | None = None) -> ReminderRun:
    run = ReminderRun()
    for reminder_id in due_reminders(today or timezone.localdate()):
        if not claim_reminder(reminder_id):
            continue  # another run has it, or sent it a moment ago
        emails, ok = _send_claimed(reminder_id)
        run.emails += emails
        if ok:
            run.sent += 1
        else:
            run.failed.append(reminder_id)
    return run


def claim_reminder(reminder_id: int) -> bool:
    """Atomically take the reminder for this run; False if someone else holds or sent it."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)
    claimed = (
        Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    return claimed == 1


def _send_claimed(reminder_id: int) -> tuple[int, bool]:
    reminder = Reminder.objects.select_related("todo__owner").get(pk=reminder_id)
    todo = reminder.todo
    if todo.status == Status.DONE:  # finished between the query and the claim
        Reminder.objects.filter(pk=reminder_id).update(claimed_at=None)
        return 0, True
    delivered = set(reminder.delivered_to)
    emails = 0
    link = settings.EXTERNAL_URL + reverse("todos:show", args=[todo.pk])
    for person in User.objects.filter(pk__in=audience(todo), is_active=True).order_by("pk"):
        if person.pk in delivered:
            continue
        try:
            send_email(
                "todo-reminder",
                person.email,
                {"todo": todo, "recipient": person, "link": link, "reminder": reminder},
            )
        except Exception:
            logger.exception("reminder %s: email to user %s failed", reminder_id, person.pk)
            # Release the claim; `delivered_to` keeps who has their email, so the retry
            # sends only the missing ones.
            Reminder.objects.filter(pk=reminder_id).update(claimed_at=None)
            return emails, False
        delivered.add(person.pk)
        emails += 1
        # Recorded per email, so that even a run that dies here never emails anyone twice.
        Reminder.objects.filter(pk=reminder_id).update(delivered_to=sorted(delivered))
    Reminder.objects.filter(pk=reminder_id).update(sent_at=timezone.now())
    return emails, True
