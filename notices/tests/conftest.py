from notifications.tests.conftest import push_servers  # noqa: F401 - fixture by name
from sharing.tests.conftest import sqs  # noqa: F401 - fixture by name
from todos.tests.conftest import client_for  # noqa: F401 - fixture by name
