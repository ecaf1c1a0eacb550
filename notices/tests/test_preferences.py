"""The notice settings page: defaults, saving, bad input."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from notices.models import Channel, NoticePreferences
from notices.preferences import channels_for
from todos.events import NoticeKind

URL = reverse("notices:settings")
CHOICES = {
    "shared": "email",
    "changed": "off",
    "commented": "toast",
    "completed": "email",
    "due_soon": "off",
}


def test_the_page_shows_the_defaults_and_is_in_the_menu(client_for, alice):
    page = client_for(alice).get(URL).content.decode()
    assert f'href="{URL}">Notices</a>' in page
    assert '<option value="toast" selected>Live toast</option>' in page
    assert '<option value="email" selected>Email</option>' in page  # due soon
    assert channels_for([alice.pk], NoticeKind.CHANGED) == {alice.pk: Channel.TOAST}
    assert channels_for([alice.pk], NoticeKind.DUE_SOON) == {alice.pk: Channel.EMAIL}


def test_saving_keeps_each_choice(client_for, alice, bob):
    response = client_for(alice).post(URL, CHOICES, follow=True)
    assert "Your notice settings were saved." in response.content.decode()
    saved = NoticePreferences.objects.get(user=alice)
    assert {field: getattr(saved, field) for field in CHOICES} == CHOICES
    assert channels_for([alice.pk, bob.pk], NoticeKind.CHANGED) == {
        alice.pk: Channel.OFF,
        bob.pk: Channel.TOAST,
    }
    client_for(alice).post(URL, {**CHOICES, "changed": "email"})
    assert NoticePreferences.objects.get(user=alice).changed == "email"
    assert NoticePreferences.objects.count() == 1


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client_for, alice):
    client = client_for(alice)
    response = client.post(URL, {**CHOICES, "changed": "carrier-pigeon"})
    assert response.status_code == 400
    assert "Select a valid choice. carrier-pigeon is not one of the available choices." in (
        response.content.decode()
    )
    missing = {key: value for key, value in CHOICES.items() if key != "due_soon"}
    assert client.post(URL, missing).status_code == 400
    assert not NoticePreferences.objects.exists()


def test_only_for_the_logged_in_and_with_csrf(client_for, alice):
    assert client_for(None).get(URL).status_code == 302
    assert client_for(None).post(URL, CHOICES).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(URL, CHOICES).status_code == 403
    assert not NoticePreferences.objects.exists()
