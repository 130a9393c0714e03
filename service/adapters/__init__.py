"""Gateway adapters: real gateway log records turned into contract events.

Each adapter is a callable ``record (decoded JSON object) -> RequestEvent`` that maps the
gateway's fields, derives what the contract needs and ends with ``validate_event``, so a
broken record raises :class:`service.contract.InvalidEvent` whose reason names the
contract field and, in brackets, the adapter and the gateway field it comes from:
``account_id: is required (litellm: from metadata.user_api_key_org_id or ...)``.
"""

from service.adapters.common import Adapter, Record
from service.adapters.envoy import EnvoyAdapter, MetadataKeys, adapt_envoy_als, adapt_envoy_json
from service.adapters.kong import KongAdapter, adapt_kong
from service.adapters.litellm import LiteLLMAdapter, adapt_litellm
from service.adapters.nginx import NginxAdapter, adapt_nginx
from service.adapters.registry import ADAPTERS, adapt_raw, adapter_for, raw_parser

__all__ = [
    "ADAPTERS",
    "Adapter",
    "EnvoyAdapter",
    "KongAdapter",
    "LiteLLMAdapter",
    "MetadataKeys",
    "NginxAdapter",
    "Record",
    "adapt_envoy_als",
    "adapt_envoy_json",
    "adapt_kong",
    "adapt_litellm",
    "adapt_nginx",
    "adapt_raw",
    "adapter_for",
    "raw_parser",
]
