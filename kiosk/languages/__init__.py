"""The languages the kiosk offers and content read in the visitor's language."""
