import pytest


@pytest.mark.django_db
def test_the_landing_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Stratospheric Todo" in response.content
