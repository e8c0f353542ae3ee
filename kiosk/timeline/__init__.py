"""The visitor timeline: the blueprint visitors see on the kiosk."""

from .views import bp

__all__ = ["bp"]
