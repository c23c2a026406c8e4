import pytest

from tests.helpers import PASSWORD, create_user, csrf_token


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_csrf_token_is_refused(client):
    create_user(email="casey@example.org")
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_post_with_the_page_token_is_accepted(client):
    create_user(email="casey@example.org")
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_sign_out_needs_the_token(client):
    create_user(email="casey@example.org")
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD, "csrf_token": token})
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(home)}).status_code == 302
