"""The review console's three static files (``/console``): plain HTML, CSS and JavaScript.

No data and no token here: the page signs in with the analyst token, keeps it in the
tab's session storage and sends it as a bearer header to the analyst API, so there is no
cookie and no cross-site request forgery path. A strict Content-Security-Policy lets the
page run only its own script and style and talk only to this origin.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import Response

router = APIRouter(tags=["console"], include_in_schema=False)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-cache",
}
_FILES = {
    "index.html": "text/html; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}


def _serve(name: str) -> Response:
    body = resources.files("service.api").joinpath("console", name).read_bytes()
    return Response(body, media_type=_FILES[name], headers=SECURITY_HEADERS)


@router.get("/console")
@router.get("/console/")
def console_page() -> Response:
    return _serve("index.html")


@router.get("/console/{name}")
def console_file(name: str) -> Response:
    if name not in _FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such file")
    return _serve(name)
