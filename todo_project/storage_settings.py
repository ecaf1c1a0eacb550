"""Builds the STORAGES entry for todo attachments (used by settings and by the tests)."""

from pathlib import Path
from typing import Any

from botocore.config import Config


def attachments_storage(
    *,
    bucket: str,
    region: str,
    endpoint_url: str | None,
    url_expiry_seconds: int,
    local_root: Path,
) -> dict[str, Any]:
    """A private S3 bucket when `bucket` is set, else a folder outside every served URL."""
    if not bucket:
        # No URL pattern serves this folder: a permission-checked view streams the files.
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(local_root)},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": region,
            "endpoint_url": endpoint_url,
            # Objects stay private (bucket default, no ACL); downloads are presigned GETs.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": url_expiry_seconds,
            # Keys are random uuids, so the HEAD request that avoids overwrites is waste.
            "file_overwrite": True,
            "client_config": Config(
                signature_version="s3v4",
                # Virtual-host addressing needs DNS for bucket names; a local endpoint has none.
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                connect_timeout=3,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
