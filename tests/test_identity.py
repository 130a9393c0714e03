"""Who the account is (one vocabulary of sources for every adapter) and who the client is
(the rightmost X-Forwarded-For hop outside the trusted proxies)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from service.adapters import (
    EnvoyAdapter,
    KongAdapter,
    LiteLLMAdapter,
    NginxAdapter,
    adapter_for,
    raw_parser,
)
from service.adapters.client_ip import ClientIp, host_of, parse_networks
from service.adapters.identity import parse_account_from
from service.contract import InvalidEvent
from service.settings import Settings

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return record


def litellm_without_database() -> dict[str, Any]:
    """What LiteLLM logs with a master key and no database: no org, no team."""
    payload = sample("litellm_success")
    metadata = payload["metadata"]
    for name in ("user_api_key_org_id", "user_api_key_team_id", "team_id"):
        metadata[name] = None
    metadata["user_api_key_hash"] = "litellm_proxy_master_key"
    metadata["requester_custom_headers"] = {"X-Account-Id": "acct_from_header"}
    return payload


@pytest.mark.parametrize(
    ("sources", "account"),
    [
        (("org", "team"), None),  # the default needs the database
        (("org", "team", "header:x-account-id"), "acct_from_header"),
        (("header:X-ACCOUNT-ID",), "acct_from_header"),  # header names ignore case
        (("user",), "enduser-77"),
        (("key_hash",), "litellm_proxy_master_key"),
        (("header:x-tenant", "user"), "enduser-77"),  # an absent source is skipped
        (("metadata.user_api_key_alias",), "prod-batch"),  # a dotted path
    ],
)
def test_litellm_account_sources_work_without_the_database(
    sources: tuple[str, ...], account: str | None
) -> None:
    adapter = LiteLLMAdapter(account_from=sources)
    if account is None:
        with pytest.raises(InvalidEvent, match=r"^account_id: is required \(litellm: from "):
            adapter(litellm_without_database())
    else:
        assert adapter(litellm_without_database()).account_id == account


def test_the_same_sources_in_every_adapter() -> None:
    kong = sample("kong_ai_proxy")
    assert KongAdapter()(kong).account_id == "a3f1c9e2-7b6d-4e5f-9a8b-1c2d3e4f5a6b"  # consumer
    assert KongAdapter(account_from=("header:x-account-id",))(kong).account_id == "acct_header_1"
    assert KongAdapter(account_from=("key_hash",))(kong).account_id == (
        "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a"
    )
    no_consumer = copy.deepcopy(kong)
    del no_consumer["consumer"]
    assert KongAdapter(account_from=("consumer", "user"))(no_consumer).account_id == (
        KongAdapter()(kong).user_id
    )
    als = sample("envoy_als_entry")
    assert (
        EnvoyAdapter(account_from=("key_hash",))(als).account_id
        == (als["request"]["request_headers"]["x-api-key-hash"])
    )
    line = sample("nginx_log")
    assert NginxAdapter()(line).account_id == line["key_hash"]  # no header: the key's hash
    assert NginxAdapter()({**line, "http_x_account_id": "acct_9"}).account_id == "acct_9"
    assert NginxAdapter(account_from=("user",))(line).account_id == "end_user_42"
    # Sources a gateway does not log are skipped: org and team mean nothing to nginx.
    assert (
        NginxAdapter(account_from=("org", "team", "key_hash"))(line).account_id
        == (line["key_hash"])
    )


def test_settings_name_a_bad_source_or_proxy() -> None:
    settings = Settings(
        account_from="org, team ,header:X-Account-Id,user", trusted_proxies="10.0.0.0/8, ::1"
    )
    assert settings.account_from == ("org", "team", "header:x-account-id", "user")
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1/128")
    with pytest.raises(ValidationError, match="unknown account source 'organisation'"):
        Settings(account_from="organisation")
    with pytest.raises(ValidationError, match="is not a header name"):
        Settings(account_from="header:x account")
    with pytest.raises(ValidationError, match=r"trusted proxy '10\.0\.0\.0/33'"):
        Settings(trusted_proxies="10.0.0.0/33")
    assert parse_account_from("") == () and parse_networks(" , ") == ()


def test_the_registry_builds_configured_adapters_once() -> None:
    configured = adapter_for("litellm", ("user",), ("10.0.0.0/8",))
    assert configured is adapter_for("litellm", ("user",), ("10.0.0.0/8",))
    assert configured.account_from == ("user",) and configured.trusted_proxies == ("10.0.0.0/8",)
    assert adapter_for("kong", ("user",), ("10.0.0.0/8",)).account_from == ("user",)
    assert adapter_for("litellm") is adapter_for("litellm", (), ())  # the defaults
    payload = litellm_without_database()
    payload["requester_ip_address"] = "198.51.100.23, 10.0.0.5"
    event = raw_parser("litellm", ("user",), ("10.0.0.0/8",))(json.dumps(payload))
    assert (event.account_id, event.client_ip) == ("enduser-77", "198.51.100.23")


@pytest.mark.parametrize(
    ("forwarded", "peer", "trusted", "client"),
    [
        ("198.51.100.23, 10.0.0.5", None, (), "10.0.0.5"),  # nothing trusted: the last hop
        ("198.51.100.23, 10.0.0.5", None, ("10.0.0.0/8",), "198.51.100.23"),
        ("1.1.1.1, 198.51.100.23, 10.0.0.5", "10.0.0.9", ("10.0.0.0/8",), "198.51.100.23"),
        ("spoofed, 198.51.100.23", "10.0.0.9", ("10.0.0.0/8",), "198.51.100.23"),
        (None, "203.0.113.9", ("10.0.0.0/8",), "203.0.113.9"),
        ("[2001:db8::1]:443", "::1", ("::1",), "2001:db8::1"),
        ("2001:db8::1", None, (), "2001:db8::1"),
        ("203.0.113.7:5123", None, (), "203.0.113.7"),
        ("::ffff:203.0.113.7", None, (), "203.0.113.7"),
        ("fe80::1%eth0", None, (), "fe80::1"),
        ("unknown, 10.0.0.5", None, ("10.0.0.0/8",), None),  # the caller hid itself
        ("10.0.0.1, 10.0.0.2", "10.0.0.3", ("10.0.0.0/8",), "10.0.0.1"),  # all ours
        ("", None, (), None),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop(
    forwarded: str | None, peer: str | None, trusted: tuple[str, ...], client: str | None
) -> None:
    assert ClientIp(trusted)(forwarded, peer) == client


def test_host_of_takes_addresses_only() -> None:
    assert host_of("_hidden") is None and host_of("[2001:db8::1") is None
    assert str(host_of(' "192.0.2.1" ')) == "192.0.2.1"
