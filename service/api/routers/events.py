"""Push ingestion: ``POST /v1/events`` for gateways that do not write to Kafka."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from service import metrics
from service.api.context import ApiContext
from service.api.deps import Context, require_ingest_token, unavailable
from service.api.idempotency import (
    BadIdempotencyKey,
    InProgress,
    KeyReused,
    fingerprint,
    request_key,
)
from service.api.ingest import FORMATS, NDJSON_TYPES, BadBody, BodyTooLarge, inflate, split_records
from service.api.limits import RateLimited
from service.api.schemas import IngestResponse
from service.sinks import PublishFailed
from service.state.base import StoreUnavailable

router = APIRouter(tags=["events"], dependencies=[Depends(require_ingest_token)])

_BODY_SCHEMA = {
    "description": "One request event (contract v1), a JSON array of them, or NDJSON; "
    "optionally `Content-Encoding: gzip`.",
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "object"},
                    {"type": "array", "items": {"type": "object"}},
                ]
            }
        },
        "application/x-ndjson": {"schema": {"type": "string"}},
    },
}


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {declared} bytes is over the limit of {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(code: int, detail: str, headers: dict[str, str] | None = None) -> HTTPException:
    metrics.INGEST_REQUESTS.labels(str(code)).inc()
    return HTTPException(code, detail=detail, headers=headers)


def _apply(
    context: ApiContext,
    raw: bytes,
    encoding: str,
    ndjson: bool,
    fmt: str,
    client: str,
    idempotency_key: str | None,
) -> tuple[dict[str, Any] | bytes, bool]:
    """The push's answer, and whether it is the answer to an earlier, identical push."""
    settings = context.settings
    body = inflate(raw, encoding, settings.ingest_max_bytes, settings.ingest_max_gzip_members)
    records = split_records(body, ndjson, settings.ingest_max_records)

    def apply() -> dict[str, Any]:
        if context.rate is not None and (wait := context.rate.take(client, len(records))):
            raise RateLimited(wait)
        return context.ingestor.ingest(records, fmt).body()

    if context.pushes is None:
        return apply(), False
    push = fingerprint(fmt, ndjson, body)
    return context.pushes.once(request_key(idempotency_key, push), push, apply)


@router.post(
    "/v1/events",
    response_model=IngestResponse,
    openapi_extra={"requestBody": _BODY_SCHEMA},
    responses={
        400: {"description": "The body cannot be read (bad gzip, too many gzip members, a "
              "JSON array that is not JSON or nests too deeply), or a bad Idempotency-Key."},
        409: {"description": "The same push (key or body) is being applied: retry later."},
        413: {"description": "The body is over HARVESTGUARD_INGEST_MAX_BYTES, or holds more "
              "than HARVESTGUARD_INGEST_MAX_RECORDS records."},
        415: {"description": "Unsupported Content-Encoding."},
        422: {"description": "Unknown format, or an Idempotency-Key sent before with another "
              "body."},
        429: {"description": "Over HARVESTGUARD_INGEST_RECORDS_PER_S for this client: "
              "`Retry-After` says when to come back; nothing was applied."},
        503: {"description": "Store or broker unreachable: nothing was applied; retry."},
    },
)  # fmt: skip
async def push_events(
    request: Request,
    context: Context,
    format: Annotated[
        str,
        Query(
            description="Shape of each record: the contract, or a gateway's log record "
            "(service/adapters).",
            json_schema_extra={"enum": list(FORMATS)},
        ),
    ] = "contract",
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Names the push, so that a retry is answered, not applied again; "
            "without it the body's hash does (see docs/security.md).",
        ),
    ] = None,
) -> dict[str, Any] | Response:
    """Run events through the detection pipeline; report each rejected record.

    A retried push (same Idempotency-Key, or same body) gets the first answer back,
    with `Idempotent-Replayed: true`, and counts once."""
    if format not in FORMATS:
        raise _refuse(422, f"format: must be one of {', '.join(FORMATS)}")
    encoding = request.headers.get("content-encoding", "")
    declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    ndjson = declared in NDJSON_TYPES
    client = request.client.host if request.client is not None else ""
    try:
        raw = await _read_capped(request, context.settings.ingest_max_bytes)
        answer, replayed = await run_in_threadpool(
            _apply, context, raw, encoding, ndjson, format, client, idempotency_key
        )
    except BodyTooLarge as error:
        raise _refuse(413, str(error)) from None
    except BadIdempotencyKey as error:
        raise _refuse(400, str(error)) from None
    except BadBody as error:
        code = 415 if "Content-Encoding" in str(error) else 400
        raise _refuse(code, str(error)) from None
    except InProgress as error:
        raise _refuse(409, str(error), {"Retry-After": "1"}) from None
    except KeyReused as error:
        raise _refuse(422, str(error)) from None
    except RateLimited as error:
        raise _refuse(429, str(error), {"Retry-After": str(math.ceil(error.wait_s))}) from None
    except (StoreUnavailable, PublishFailed) as error:
        metrics.INGEST_REQUESTS.labels("503").inc()
        raise unavailable(error, "nothing applied: the store or broker is unreachable") from None
    metrics.INGEST_REQUESTS.labels("200").inc()
    if replayed:
        assert isinstance(answer, bytes)
        return Response(
            answer, media_type="application/json", headers={"Idempotent-Replayed": "true"}
        )
    assert isinstance(answer, dict)
    return answer
