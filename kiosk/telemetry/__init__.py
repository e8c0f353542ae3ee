"""What kiosks report: visitor analytics, the fleet's heartbeats, and the endpoint they post to."""
