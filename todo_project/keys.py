import base64
import hashlib


def derived_fernet_key(secret: str) -> str:
    """A Fernet key (32 bytes, url-safe base64) made from a long random secret."""
    digest = hashlib.sha256(f"token-encryption:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
