import base64
import hashlib


def derived_fernet_key(secret: str) -> str:
    """A Fernet key made from SECRET_KEY: for DEBUG and tests only (one secret, two uses)."""
    digest = hashlib.sha256(f"token-encryption:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
