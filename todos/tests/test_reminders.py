"""Reminder dates on the todo page, and `manage.py send_due_reminders` through moto's SES."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from tests.sharing_support import share_with
from todos import reminders as reminders_module
from todos.models import Reminder, Status, Todo

ROOT = Path(__file__).resolve().parents[2]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def add(client, todo, value, **extra):
    return client.post(reverse("todos:reminder_add", args=[todo.pk]), {"remind_on": value}, **extra)


def unique_todo(owner, *collaborators, due=None) -> Todo:
    """A todo whose title tells its emails apart from every other test's in moto."""
    todo = Todo.objects.create(
        owner=owner, title=f"Due {uuid.uuid4().hex[:10]}", due_date=due or days(3)
    )
    share_with(todo, *collaborators)
    return todo


def recipients(messages) -> list[str]:
    return sorted(str(message["To"]) for message in messages)


@pytest.mark.django_db
class TestReminderDates:
    def test_a_collaborator_adds_a_reminder_and_removes_it(self, client, todo, bob):
        client.force_login(bob)
        response = add(client, todo, today().isoformat(), follow=True)
        assert "You will be reminded on" in response.content.decode()
        reminder = Reminder.objects.get(todo=todo)
        assert reminder.remind_on == today()

        response = client.post(
            reverse("todos:reminder_delete", args=[todo.pk, reminder.pk]), follow=True
        )
        assert "was removed" in response.content.decode()
        assert not Reminder.objects.exists()

    def test_the_due_date_itself_is_allowed(self, client, todo, alice):
        client.force_login(alice)
        add(client, todo, todo.due_date.isoformat())
        assert Reminder.objects.get(todo=todo).remind_on == todo.due_date

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            (lambda todo: days(-1).isoformat(), "cannot be in the past"),
            (
                lambda todo: (todo.due_date + datetime.timedelta(days=1)).isoformat(),
                "cannot be after the due date",
            ),
            (lambda todo: "31.12.2099", "Enter the day as YYYY-MM-DD"),
            (lambda todo: "", "Choose the day of the reminder"),
        ],
    )
    def test_an_invalid_reminder_date_is_rejected_with_a_message(
        self, client, todo, alice, value, reason
    ):
        client.force_login(alice)
        body = add(client, todo, value(todo), follow=True).content.decode()
        assert "The reminder was not added" in body
        assert reason in body
        assert not Reminder.objects.exists()

    def test_a_second_reminder_on_the_same_day_is_rejected_with_a_message(
        self, client, todo, alice
    ):
        client.force_login(alice)
        add(client, todo, today().isoformat())
        body = add(client, todo, today().isoformat(), follow=True).content.decode()
        assert "There is a reminder on" in body
        assert Reminder.objects.count() == 1

    def test_the_panel_script_gets_a_400_with_the_reason(self, client, todo, alice):
        client.force_login(alice)
        response = add(client, todo, days(-1).isoformat(), HTTP_X_TODO_PANEL="1")
        assert response.status_code == 400
        assert "cannot be in the past" in response.content.decode()

    def test_a_stranger_gets_404(self, client, todo, alice, charlie):
        reminder = Reminder.objects.create(todo=todo, remind_on=today())
        client.force_login(charlie)
        assert add(client, todo, today().isoformat()).status_code == 404
        url = reverse("todos:reminder_delete", args=[todo.pk, reminder.pk])
        assert client.post(url).status_code == 404
        assert Reminder.objects.count() == 1

    def test_changing_reminders_needs_a_post(self, client, todo, alice):
        reminder = Reminder.objects.create(todo=todo, remind_on=today())
        client.force_login(alice)
        assert client.get(reverse("todos:reminder_add", args=[todo.pk])).status_code == 405
        url = reverse("todos:reminder_delete", args=[todo.pk, reminder.pk])
        assert client.get(url).status_code == 405
        assert Reminder.objects.count() == 1


@pytest.mark.django_db
class TestSendingDueReminders:
    def test_a_reminder_due_today_emails_each_person_once(self, alice, bob, mailbox):
        dave = make_user("dave")
        todo = unique_todo(alice, bob, dave)
        reminder = Reminder.objects.create(todo=todo, remind_on=today())
        Reminder.objects.create(todo=todo, remind_on=days(1))  # not yet

        call_command("send_due_reminders")

        sent = mailbox.about(todo.title)
        assert recipients(sent) == ["alice@example.com", "bob@example.com", "dave@example.com"]
        body = sent[0].get_body(("plain",)).get_content()
        assert f"{django_settings.EXTERNAL_URL}/todo/show/{todo.pk}" in body
        reminder.refresh_from_db()
        assert reminder.sent_at is not None
        assert sorted(reminder.delivered_to) == sorted([alice.pk, bob.pk, dave.pk])

    def test_running_twice_still_sends_one_email_per_person(self, alice, bob, mailbox):
        todo = unique_todo(alice, bob)
        Reminder.objects.create(todo=todo, remind_on=today())

        call_command("send_due_reminders")
        call_command("send_due_reminders")

        assert recipients(mailbox.about(todo.title)) == ["alice@example.com", "bob@example.com"]

    def test_a_done_todo_gets_no_email(self, alice, bob, mailbox):
        todo = unique_todo(alice, bob)
        todo.status = Status.DONE
        todo.save()
        reminder = Reminder.objects.create(todo=todo, remind_on=today())

        call_command("send_due_reminders")

        assert mailbox.about(todo.title) == []
        reminder.refresh_from_db()
        assert reminder.sent_at is None

    def test_a_failed_email_keeps_the_reminder_for_the_next_run_without_repeats(
        self, alice, bob, mailbox, monkeypatch
    ):
        todo = unique_todo(alice, bob)
        reminder = Reminder.objects.create(todo=todo, remind_on=today())
        real_send_email = reminders_module.send_email

        def ses_refuses_bob(name, to, context):
            if to == bob.email:
                raise ConnectionError("SES is unreachable")
            real_send_email(name, to, context)

        monkeypatch.setattr(reminders_module, "send_email", ses_refuses_bob)
        with pytest.raises(CommandError, match="will be retried"):
            call_command("send_due_reminders")
        reminder.refresh_from_db()
        assert (reminder.sent_at, reminder.claimed_at) == (None, None)
        assert reminder.delivered_to == [alice.pk]
        assert recipients(mailbox.about(todo.title)) == ["alice@example.com"]

        monkeypatch.setattr(reminders_module, "send_email", real_send_email)
        call_command("send_due_reminders")
        assert recipients(mailbox.about(todo.title)) == ["alice@example.com", "bob@example.com"]
        reminder.refresh_from_db()
        assert reminder.sent_at is not None

    def test_a_claim_held_by_a_run_that_died_is_taken_over_later(
        self, alice, bob, mailbox, settings
    ):
        todo = unique_todo(alice, bob)
        reminder = Reminder.objects.create(todo=todo, remind_on=today())
        Reminder.objects.filter(pk=reminder.pk).update(claimed_at=timezone.now())

        call_command("send_due_reminders")
        assert mailbox.about(todo.title) == []  # someone else is working on it

        Reminder.objects.filter(pk=reminder.pk).update(
            claimed_at=timezone.now()
            - datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS + 1)
        )
        call_command("send_due_reminders")
        assert recipients(mailbox.about(todo.title)) == ["alice@example.com", "bob@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_still_send_one_email_per_person(moto_server, mailbox):
    alice, bob = make_user("alice"), make_user("bob")
    todos = [unique_todo(alice, bob) for _ in range(30)]
    for todo in todos:
        Reminder.objects.create(todo=todo, remind_on=today())
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.test_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "AWS_ENDPOINT_URL": moto_server.url,
        "AWS_REGION": django_settings.AWS_REGION,
        "TIME_ZONE": django_settings.TIME_ZONE,
    }
    command = [sys.executable, str(ROOT / "manage.py"), "send_due_reminders"]
    runs = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    for todo in todos:
        assert recipients(mailbox.about(todo.title)) == ["alice@example.com", "bob@example.com"]
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0
