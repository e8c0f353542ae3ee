"""Speech output for audio mode: what is said (scripts), how it becomes sound (synthesis), where the
sound is kept (store), and the service that ties them to the published content (service)."""

from .service import init_app

__all__ = ["init_app"]
