"""API-key hash -> account mappings, for checks that identify callers by key.

When the gateway forwards an API-key hash (``HARVESTGUARD_CHECK_KEY_HEADER``)
rather than an account id, the check looks the account up here. Provisioning
writes the mapping (or sets the Redis key ``hg:key:{HASH}`` directly).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status

from service.api.deps import Context, require_api_token, unavailable
from service.api.schemas import KeyMapping, KeyView
from service.state.base import StoreUnavailable

router = APIRouter(tags=["keys"], dependencies=[Depends(require_api_token)])

KeyPath = Annotated[str, Path(min_length=1, max_length=256)]
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The store is unreachable."}}


@router.put("/v1/keys/{key_hash}", response_model=KeyView, responses=_UNAVAILABLE)
def put_key(key_hash: KeyPath, mapping: KeyMapping, context: Context) -> KeyView:
    """Map an API-key hash to its account."""
    try:
        context.keys.put(key_hash, mapping.account_id)
    except StoreUnavailable as error:
        raise unavailable(error) from None
    context.reader.forget(key_hash=key_hash)
    return KeyView(key_hash=key_hash, account_id=mapping.account_id)


@router.get(
    "/v1/keys/{key_hash}",
    response_model=KeyView,
    responses={404: {"description": "No such mapping."}, **_UNAVAILABLE},
)
def get_key(key_hash: KeyPath, context: Context) -> KeyView:
    try:
        account = context.keys.get(key_hash)
    except StoreUnavailable as error:
        raise unavailable(error) from None
    if account is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such key")
    return KeyView(key_hash=key_hash, account_id=account)


@router.delete("/v1/keys/{key_hash}", status_code=204, responses=_UNAVAILABLE)
def delete_key(key_hash: KeyPath, context: Context) -> Response:
    try:
        context.keys.put(key_hash, None)
    except StoreUnavailable as error:
        raise unavailable(error) from None
    context.reader.forget(key_hash=key_hash)
    return Response(status_code=204)
