"""The local mailbox page (DEBUG only): what moto server's SES has sent."""

from django.urls import reverse

from deploy.local.moto_server import free_port
from sharing.mailer import confirm_url, send_invitation
from sharing.models import CollaborationRequest
from sharing.services import issue_token


def test_the_mailbox_is_404_unless_debug(client, settings):
    settings.DEBUG = False
    assert client.get(reverse("sharing:mailbox")).status_code == 404


def test_the_mailbox_lists_the_invitation_with_a_clickable_confirm_link(
    client, settings, own_todo, bob, sharing_queues
):
    settings.DEBUG = True
    request = CollaborationRequest.objects.select_related("todo__owner", "collaborator").get(
        pk=CollaborationRequest.objects.create(todo=own_todo, collaborator=bob).pk
    )
    token = issue_token(request)
    send_invitation(request, token)

    page = client.get(reverse("sharing:mailbox")).content.decode()
    link = confirm_url(request, token).replace("&", "&amp;")
    assert f'<a class="mailbox-link" href="{link}">' in page
    assert "A todo was shared with you" in page
    assert "bob@example.com" in page
    assert "<b>cake</b>" not in page  # shown as text, escaped


def test_the_mailbox_says_so_when_the_local_ses_is_down(client, settings):
    settings.DEBUG = True
    settings.AWS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    response = client.get(reverse("sharing:mailbox"))
    assert response.status_code == 200
    assert b"did not answer" in response.content


def test_the_mailbox_says_so_without_a_local_aws(client, settings):
    settings.DEBUG = True
    settings.AWS_ENDPOINT_URL = None
    response = client.get(reverse("sharing:mailbox"))
    assert b"AWS_ENDPOINT_URL is not set" in response.content
