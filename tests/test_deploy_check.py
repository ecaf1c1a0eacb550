"""Production settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "todo_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "q8#Zt1!vK9mLw4$Rb7nHc2^Jp6&Yf3*Gd5@Qs0%Ue8+Wa2-Xo9-production-like",
    "ALLOWED_HOSTS": "todo.example.com",
    "EXTERNAL_URL": "https://todo.example.com",
    "DATABASE_URL": "postgres://todo:secret@db.example.com:5432/todo",
    "COGNITO_DOMAIN": "https://todo.auth.eu-central-1.amazoncognito.com",
    "COGNITO_CLIENT_ID": "client",
    "COGNITO_CLIENT_SECRET": "secret",
    "TOKEN_ENCRYPTION_KEY": "production-like-token-encryption-secret-0123456789abcdef",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if k != "SECRET_KEY"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_weak_secret_key_is_reported():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_production_settings_refuse_to_start_without_a_token_encryption_key():
    env = {k: v for k, v in {**os.environ, **PRODUCTION_ENV}.items() if k != "TOKEN_ENCRYPTION_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if not k.startswith("SECURE_")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEY" in result.stderr


def test_an_empty_token_encryption_key_is_reported():
    result = run_manage("check", TOKEN_ENCRYPTION_KEY=" , ")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr + result.stdout
