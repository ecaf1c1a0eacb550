"""Confirmation tokens are kept as SHA-256 hashes; links already emailed keep working."""

import hashlib
from typing import Any

from django.db import migrations, models


def hash_clear_tokens(apps: Any, schema_editor: Any) -> None:
    requests = apps.get_model("sharing", "CollaborationRequest")
    for request in requests.objects.only("pk", "token").iterator():
        requests.objects.filter(pk=request.pk).update(
            token_hash=hashlib.sha256(request.token.encode()).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="collaborationrequest",
            name="token_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(hash_clear_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="collaborationrequest", name="token"),
        migrations.RemoveIndex(model_name="collaborationrequest", name="sharing_unqueued"),
        migrations.AddIndex(
            model_name="collaborationrequest",
            index=models.Index(
                condition=models.Q(("emailed_at", None)),
                fields=["created"],
                name="sharing_not_emailed",
            ),
        ),
    ]
