"""HTTP API, live stream and page of the alerting service (aiohttp)."""

from services.alerting.api.app import STATIC_DIR, api_hub, bound_port, make_api, start_api
from services.alerting.api.hub import ApiHub, Subscription, SubscriptionClosed, TooManySubscribers

__all__ = [
    "STATIC_DIR",
    "ApiHub",
    "Subscription",
    "SubscriptionClosed",
    "TooManySubscribers",
    "api_hub",
    "bound_port",
    "make_api",
    "start_api",
]
