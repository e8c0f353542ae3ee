"""Web plumbing around every request: the request stack (stack.py lists its layers in order), caching,
security headers, error pages, static assets."""
