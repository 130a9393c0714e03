"""The sidecar HTTP API: inline check, push ingestion, analyst API, operations."""

from service.api.app import create_app, run_api
from service.api.security import InsecureSettings

__all__ = ["InsecureSettings", "create_app", "run_api"]
