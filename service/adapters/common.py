"""Pieces every gateway adapter shares: lookups, number coercion, chat messages, parameters.

Adapters run once per event, so everything here is plain dict and list access. They map
what the gateway logged and never fill a gap with a guess: a value the record does not
carry stays absent, and a required one that is absent makes ``validate_event`` reject the
record with a reason naming the contract field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from service.contract import InvalidEvent, RequestEvent, validate_event

Record = dict[str, Any]
Adapter = Callable[[Record], RequestEvent]

# Roles whose text is the system prompt; OpenAI renamed "system" to "developer" for o1 models.
_SYSTEM_ROLES = frozenset(("system", "developer"))
# Parts of a multi-part message that carry text (chat completions and Responses API names).
_TEXT_PARTS = frozenset(("text", "input_text"))
# Text that is not a placeholder for "empty" in some log format.
_UNSET = frozenset(("", "-"))


def split_paths(paths: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Dotted paths such as ``"metadata.user_api_key_org_id"`` as key tuples."""
    return tuple(tuple(path.split(".")) for path in paths)


def lookup(record: Any, keys: tuple[str, ...]) -> Any:
    """The value at ``keys`` in nested objects, or None where any step is missing."""
    value = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(value: Any) -> str | None:
    """A non-empty string, or None; a repeated header (a list) gives its first value."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or (isinstance(value, str) and value in _UNSET):
        return None
    return value if isinstance(value, str) else str(value)


def first_text(record: Record, paths: tuple[tuple[str, ...], ...]) -> str | None:
    """The first of ``paths`` that holds a non-empty value (e.g. org id, then team id)."""
    for keys in paths:
        value = text(lookup(record, keys))
        if value is not None:
            return value
    return None


def number(value: Any) -> Any:
    """A number from a JSON number or numeric text; "-" and "" (Envoy's unset) are None.

    Integral floats become ints: a protobuf Struct (Envoy metadata) holds every number as a
    double, and the contract's counts are integers. Anything else is returned unchanged, so
    that validation rejects it with the field's name instead of this function hiding it.
    """
    if isinstance(value, str):
        if value in _UNSET:
            return None
        try:
            value = int(value)
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def path_only(value: Any) -> str | None:
    """A request path without its query string (the query may carry secrets and is noise)."""
    path = text(value)
    return path.split("?", 1)[0] if path is not None else None


def content_text(content: Any) -> str | None:
    """The text of one message's ``content``: a string, or the text parts of a list joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            part["text"]
            for part in content
            if isinstance(part, dict)
            and part.get("type") in _TEXT_PARTS
            and isinstance(part.get("text"), str)
        ]
        return "\n".join(parts) if parts else None
    return None


def conversation(
    messages: Any, system: Any = None, redacted: str | None = None
) -> tuple[int | None, str | None, str | None]:
    """``(messages, prompt, system_prompt)`` from a logged ``messages`` value.

    The prompt is the last user message; the system prompt joins the system (or developer)
    messages, or else the request's top-level ``system`` (Anthropic's shape). A bare string
    is a text-completion prompt. ``redacted`` is the gateway's placeholder for text it did
    not log: it is dropped, since fingerprinting it would make every request look alike.
    """
    if isinstance(messages, str):
        return 1, (None if messages == redacted else messages), None
    if isinstance(messages, dict) and "role" in messages:
        messages = [messages]
    if not isinstance(messages, list):
        return None, None, None
    prompt: str | None = None
    systems: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "user":
            prompt = content_text(message.get("content"))
        elif role in _SYSTEM_ROLES and (found := content_text(message.get("content"))):
            systems.append(found)
    if not systems and (found := content_text(system)):
        systems.append(found)
    system_prompt = "\n\n".join(systems) if systems else None
    if redacted is not None:
        prompt = None if prompt == redacted else prompt
        system_prompt = None if system_prompt == redacted else system_prompt
    return len(messages), prompt, system_prompt


def params(request: Any) -> dict[str, Any] | None:
    """The contract's ``params`` from OpenAI request parameters (a body or LiteLLM's
    ``model_parameters``); None when the record carries none of them."""
    if not isinstance(request, dict):
        return None
    out: dict[str, Any] = {}
    for name in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        if request.get(name) is not None:
            out["max_tokens"] = request[name]
            break
    for name in ("temperature", "top_p", "n", "seed", "top_logprobs", "stream"):
        if request.get(name) is not None:
            out[name] = request[name]
    logprobs = request.get("logprobs")
    if isinstance(logprobs, int) and not isinstance(logprobs, bool):
        # The legacy completions API takes logprobs as "how many alternatives per token".
        out["logprobs"] = True
        out.setdefault("top_logprobs", logprobs)
    elif logprobs is not None:
        out["logprobs"] = logprobs
    logit_bias = request.get("logit_bias")
    if isinstance(logit_bias, dict):
        out["logit_bias"] = len(logit_bias)
    tools = request.get("tools")
    if tools is None:
        tools = request.get("functions")  # the pre-2023 name of tools
    if isinstance(tools, list):
        out["tools"] = len(tools)
    return out or None


def choice_summary(response: Any) -> tuple[str | None, Any]:
    """``(finish_reason, reasoning_tokens)`` from an OpenAI chat completion response."""
    if not isinstance(response, dict):
        return None, None
    finish_reason = None
    choices = response.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        finish_reason = text(choices[0].get("finish_reason"))
    reasoning = lookup(response, ("usage", "completion_tokens_details", "reasoning_tokens"))
    return finish_reason, reasoning


def require_object(adapter: str, record: Any) -> Record:
    if not isinstance(record, dict):
        kind = "array" if isinstance(record, list) else type(record).__name__
        raise InvalidEvent(f"record: expected an object, got {kind} ({adapter})")
    return record


def finish(adapter: str, event: Record, sources: Mapping[str, str]) -> RequestEvent:
    """Validate the mapped event; a rejection's reason keeps the contract's ``field: problem``
    form (metrics label rejections by the text before the first colon) and adds where in
    the gateway's record the field comes from."""
    try:
        return validate_event({key: value for key, value in event.items() if value is not None})
    except InvalidEvent as error:
        field = error.reason.split(":", 1)[0]
        source = sources.get(field) or sources.get(field.split(".", 1)[0])
        where = f"{adapter}: from {source}" if source else adapter
        raise InvalidEvent(f"{error.reason} ({where})") from None
