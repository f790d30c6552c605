"""The JSON API: OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

from govcx.feedback.api import router as feedback_router
from govcx.feedback.api import staff_router as feedback_staff_router
from govcx.metrics.api import router as metrics_router

api = NinjaAPI(title="govcx API", version="1", urls_namespace="api")
api.add_router("/", feedback_router)
api.add_router("/staff/", feedback_staff_router)
api.add_router("/staff/", metrics_router)
api.add_router("/", "govcx.contact.api.router")  # contact centre: CDRs, chat handoff
