import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from tracing.dynamo import create_table

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Create the DynamoDB breadcrumb table (on demand, TTL on `ttl`) unless it exists."

    def handle(self, *args: object, **options: object) -> None:
        table_name = settings.TRACING_TABLE_NAME
        created = create_table(table_name)
        logger.info(
            "breadcrumb table %s %s",
            table_name,
            "created" if created else "already exists",
            extra={"table": table_name, "table_created": created},
        )
