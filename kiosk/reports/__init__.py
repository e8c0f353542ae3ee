"""What kiosks report: visitor events (POST /analytics/events) and their own state (POST /fleet/heartbeat)."""

from .views import bp, init_app

__all__ = ["bp", "init_app"]
