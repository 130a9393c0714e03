"""Push ingestion: ``POST /v1/events`` for gateways that do not write to Kafka."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from starlette.concurrency import run_in_threadpool

from service import metrics
from service.api.deps import Context, require_ingest_token
from service.api.ingest import (
    FORMATS,
    NDJSON_TYPES,
    BadBody,
    BodyTooLarge,
    IngestReport,
    inflate,
    split_records,
)
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


def _refuse(code: int, detail: str) -> HTTPException:
    metrics.INGEST_REQUESTS.labels(str(code)).inc()
    return HTTPException(code, detail=detail)


@router.post(
    "/v1/events",
    response_model=IngestResponse,
    openapi_extra={"requestBody": _BODY_SCHEMA},
    responses={
        400: {"description": "The body cannot be read as a whole (bad gzip or JSON array)."},
        413: {"description": "The body is over HARVESTGUARD_INGEST_MAX_BYTES."},
        415: {"description": "Unsupported Content-Encoding."},
        503: {"description": "Store or broker unreachable: nothing was applied; retry."},
    },
)
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
) -> IngestReport | dict[str, object]:
    """Run events through the detection pipeline; report each rejected record."""
    if format not in FORMATS:
        raise _refuse(422, f"format: must be one of {', '.join(FORMATS)}")
    limit = context.settings.ingest_max_bytes
    encoding = request.headers.get("content-encoding", "")
    declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    ndjson = declared in NDJSON_TYPES

    def work(raw: bytes) -> IngestReport:
        body = inflate(raw, encoding, limit)
        return context.ingestor.ingest(split_records(body, ndjson), format)

    try:
        report = await run_in_threadpool(work, await _read_capped(request, limit))
    except BodyTooLarge as error:
        raise _refuse(413, str(error)) from None
    except BadBody as error:
        code = 415 if "Content-Encoding" in str(error) else 400
        raise _refuse(code, str(error)) from None
    except (StoreUnavailable, PublishFailed) as error:
        raise _refuse(status.HTTP_503_SERVICE_UNAVAILABLE, f"nothing applied: {error}") from None
    metrics.INGEST_REQUESTS.labels("200").inc()
    return report.body()
