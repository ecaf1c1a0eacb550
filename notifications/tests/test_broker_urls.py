import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.broker import (
    BrokerAddress,
    parse_broker_url,
    topic_for,
    user_id_from_destination,
)


def test_a_plain_stomp_url_is_one_broker_without_tls():
    assert parse_broker_url("stomp://mq.local:61613") == [BrokerAddress("mq.local", 61613, False)]


def test_a_stomp_ssl_url_uses_tls_and_the_default_port():
    assert parse_broker_url("stomp+ssl://b-1.mq.aws") == [BrokerAddress("b-1.mq.aws", 61614, True)]


def test_an_amazon_mq_failover_url_lists_both_brokers_in_order():
    url = "failover:(stomp+ssl://a.mq.aws:61614,stomp+ssl://b.mq.aws:61614)?randomize=false"
    assert parse_broker_url(url) == [
        BrokerAddress("a.mq.aws", 61614, True),
        BrokerAddress("b.mq.aws", 61614, True),
    ]


@pytest.mark.parametrize(
    "url",
    ["amqp://mq:5672", "mq.local:61613", "stomp://:61613", "stomp://mq:notaport", "failover:()"],
)
def test_a_bad_url_is_a_configuration_error_that_names_it(url):
    with pytest.raises(ImproperlyConfigured, match="ACTIVEMQ_URL"):
        parse_broker_url(url)


def test_topics_are_named_by_numeric_user_id_only():
    assert topic_for(42) == "/topic/todoUpdates.42"
    with pytest.raises(ValueError):
        topic_for("42.>")
    assert user_id_from_destination("/topic/todoUpdates.42") == 42
    assert user_id_from_destination("/topic/todoUpdates.4.2") is None
    assert user_id_from_destination("/topic/other.42") is None
