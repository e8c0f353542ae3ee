"""Web plumbing around every request: caching, security headers, error pages, static assets."""
