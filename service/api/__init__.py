"""The sidecar HTTP API: inline check, push ingestion, analyst API, operations.

``service.api.app.create_app`` builds it; the feedback and alert-log modules
import nothing from the web stack, so the streaming worker uses them too.
"""
