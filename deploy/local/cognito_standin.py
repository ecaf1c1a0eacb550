"""A local stand-in for Cognito's hosted UI, in front of moto server's Cognito.

moto implements the user-pool API (AdminCreateUser, InitiateAuth, GetUser, …) but not the
hosted UI, so this small Flask app adds the OAuth 2.0 endpoints the app talks to:

    GET  /oauth2/authorize   login form (or straight back, if the browser has a session)
    POST /oauth2/token       authorization code (+ PKCE verifier) -> tokens; refresh token
                             -> new tokens, refused for disabled, deleted, signed-out users
    GET  /oauth2/userInfo    bearer access token -> claims
    GET  /logout             ends the hosted-UI session, back to a registered logout URL

Passwords are checked by moto (InitiateAuth USER_PASSWORD_AUTH), a new user's temporary
password is changed through RespondToAuthChallenge, and the tokens are moto's own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.exceptions import ClientError
from flask import Flask, jsonify, redirect, render_template, request
from werkzeug.serving import make_server
from werkzeug.wrappers import Response as WerkzeugResponse

CODE_LIFETIME_S = 300
SESSION_COOKIE = "standin_session"


@dataclass
class _Pending:
    """An authorization request waiting for the user to log in."""

    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    tokens: dict[str, str]
    expires: float = field(default_factory=lambda: time.monotonic() + CODE_LIFETIME_S)


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def create_app(*, endpoint_url: str, region: str, user_pool_id: str) -> Flask:
    app = Flask(__name__)
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    lock = threading.Lock()
    pending: dict[str, _Pending] = {}
    grants: dict[str, _Grant] = {}
    sessions: dict[str, dict[str, str]] = {}  # hosted-UI session id -> tokens
    # Whose refresh token is whose: InitiateAuth wants the username in the SECRET_HASH.
    refresh_owners: dict[str, str] = {}

    def client_config(client_id: str) -> dict[str, Any] | None:
        try:
            found = cognito.describe_user_pool_client(UserPoolId=user_pool_id, ClientId=client_id)
            config: dict[str, Any] = found["UserPoolClient"]
            return config
        except ClientError:
            return None

    def error_page(message: str, status: int = 400) -> tuple[str, int]:
        return render_template("standin_error.html", message=message), status

    def finish_login(pending_request: _Pending, tokens: dict[str, str]) -> WerkzeugResponse:
        code = secrets.token_urlsafe(32)
        session_id = secrets.token_urlsafe(32)
        with lock:
            grants[code] = _Grant(
                client_id=pending_request.client_id,
                redirect_uri=pending_request.redirect_uri,
                code_challenge=pending_request.code_challenge,
                code_challenge_method=pending_request.code_challenge_method,
                tokens=tokens,
            )
            sessions[session_id] = tokens
        query = urlencode({"code": code, "state": pending_request.state})
        response = redirect(f"{pending_request.redirect_uri}?{query}")
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="Lax")
        return response

    def tokens_from(result: dict[str, Any]) -> dict[str, str]:
        auth = result["AuthenticationResult"]
        return {
            "access_token": auth["AccessToken"],
            "id_token": auth["IdToken"],
            "refresh_token": auth.get("RefreshToken", ""),
        }

    @app.get("/oauth2/authorize")
    def authorize() -> Any:
        args = request.args
        client = client_config(args.get("client_id", ""))
        if client is None:
            return error_page("Unknown client_id.")
        if args.get("redirect_uri") not in client.get("CallbackURLs", []):
            return error_page("redirect_uri is not a registered callback URL.")
        if args.get("response_type") != "code":
            return error_page("Only response_type=code is supported.")
        if args.get("code_challenge") and args.get("code_challenge_method") != "S256":
            return error_page("Only the S256 code_challenge_method is supported.")
        pending_request = _Pending(
            client_id=client["ClientId"],
            redirect_uri=args["redirect_uri"],
            state=args.get("state", ""),
            code_challenge=args.get("code_challenge", ""),
            code_challenge_method=args.get("code_challenge_method", ""),
        )
        session_tokens = sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        if session_tokens is not None:
            return finish_login(pending_request, session_tokens)
        request_id = secrets.token_urlsafe(16)
        with lock:
            pending[request_id] = pending_request
        return render_template("standin_login.html", request_id=request_id, error=None)

    @app.post("/login")
    def login() -> Any:
        request_id = request.form.get("request_id", "")
        pending_request = pending.get(request_id)
        if pending_request is None:
            return error_page("This login page has expired. Go back to the app and log in again.")
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        client = client_config(pending_request.client_id) or {}
        params = {"USERNAME": username, "PASSWORD": password}
        if client.get("ClientSecret"):
            params["SECRET_HASH"] = secret_hash(
                username, client["ClientId"], client["ClientSecret"]
            )
        try:
            result = cognito.initiate_auth(
                ClientId=pending_request.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters=params,
            )
        except ClientError:
            return render_template(
                "standin_login.html",
                request_id=request_id,
                error="Incorrect username or password.",
            ), 200
        if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return render_template(
                "standin_new_password.html",
                request_id=request_id,
                username=username,
                session=result["Session"],
                error=None,
            )
        pending.pop(request_id, None)
        tokens = tokens_from(result)
        with lock:
            refresh_owners[tokens["refresh_token"]] = username
        return finish_login(pending_request, tokens)

    @app.post("/login/new-password")
    def new_password() -> Any:
        request_id = request.form.get("request_id", "")
        pending_request = pending.get(request_id)
        if pending_request is None:
            return error_page("This login page has expired. Go back to the app and log in again.")
        username = request.form.get("username", "")
        client = client_config(pending_request.client_id) or {}
        responses = {"USERNAME": username, "NEW_PASSWORD": request.form.get("new_password", "")}
        if client.get("ClientSecret"):
            responses["SECRET_HASH"] = secret_hash(
                username, client["ClientId"], client["ClientSecret"]
            )
        try:
            result = cognito.respond_to_auth_challenge(
                ClientId=pending_request.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=request.form.get("session", ""),
                ChallengeResponses=responses,
            )
        except ClientError as error:
            return render_template(
                "standin_new_password.html",
                request_id=request_id,
                username=username,
                session=request.form.get("session", ""),
                error=error.response["Error"].get("Message", "That password is not allowed."),
            )
        pending.pop(request_id, None)
        tokens = tokens_from(result)
        with lock:
            refresh_owners[tokens["refresh_token"]] = username
        return finish_login(pending_request, tokens)

    @app.post("/oauth2/token")
    def token() -> Any:
        client_id, client_secret = (
            request.form.get("client_id", ""),
            request.form.get("client_secret", ""),
        )
        if request.authorization and request.authorization.type == "basic":
            client_id = request.authorization.username or ""
            client_secret = request.authorization.password or ""
        client = client_config(client_id)
        if client is None or not hmac.compare_digest(client.get("ClientSecret", ""), client_secret):
            return jsonify(error="invalid_client"), 401
        if request.form.get("grant_type") == "refresh_token":
            return refresh(client_id)
        if request.form.get("grant_type") != "authorization_code":
            return jsonify(error="unsupported_grant_type"), 400
        with lock:
            grant = grants.pop(request.form.get("code", ""), None)
        if (
            grant is None
            or grant.expires < time.monotonic()
            or grant.client_id != client_id
            or grant.redirect_uri != request.form.get("redirect_uri")
        ):
            return jsonify(error="invalid_grant"), 400
        if grant.code_challenge:
            verifier = request.form.get("code_verifier", "")
            computed = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if not hmac.compare_digest(computed, grant.code_challenge):
                return jsonify(error="invalid_grant", error_description="PKCE mismatch"), 400
        return jsonify(token_type="Bearer", expires_in=3600, **grant.tokens)

    def refresh(client_id: str) -> Any:
        """New tokens for a refresh token, refused (invalid_grant) as Cognito refuses them:
        for a user who was disabled, deleted or globally signed out."""
        refresh_token = request.form.get("refresh_token", "")
        client = client_config(client_id) or {}
        params = {"REFRESH_TOKEN": refresh_token}
        owner = refresh_owners.get(refresh_token)
        if owner is None:
            return jsonify(error="invalid_grant"), 400
        if client.get("ClientSecret"):
            params["SECRET_HASH"] = secret_hash(owner, client_id, client["ClientSecret"])
        try:
            result = cognito.initiate_auth(
                ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            )
            auth = result["AuthenticationResult"]
            # moto refreshes for disabled and deleted users; Cognito does not.
            username = cognito.get_user(AccessToken=auth["AccessToken"])["Username"]
            user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=username)
        except ClientError:
            return jsonify(error="invalid_grant"), 400
        if not user.get("Enabled", True):
            return jsonify(error="invalid_grant", error_description="User is disabled."), 400
        return jsonify(
            token_type="Bearer",
            expires_in=3600,
            access_token=auth["AccessToken"],
            id_token=auth["IdToken"],
        )

    @app.get("/oauth2/userInfo")
    def user_info() -> Any:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return jsonify(error="invalid_token"), 401
        try:
            user = cognito.get_user(AccessToken=auth.removeprefix("Bearer "))
        except ClientError:
            return jsonify(error="invalid_token"), 401
        claims: dict[str, Any] = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        claims["username"] = user["Username"]
        return jsonify(claims)

    @app.get("/logout")
    def logout() -> Any:
        client = client_config(request.args.get("client_id", ""))
        if client is None:
            return error_page("Unknown client_id.")
        logout_uri = request.args.get("logout_uri", "")
        if logout_uri not in client.get("LogoutURLs", []):
            return error_page("logout_uri is not a registered sign-out URL.")
        with lock:
            sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = redirect(logout_uri)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    return app


class StandinServer:
    """The stand-in on a background thread, for `make run` and the tests."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = make_server(host, port, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> StandinServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", default="eu-central-1")
    parser.add_argument("--user-pool-id", required=True)
    parser.add_argument("--port", type=int, default=9229)
    args = parser.parse_args()
    app = create_app(
        endpoint_url=args.endpoint_url, region=args.region, user_pool_id=args.user_pool_id
    )
    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
