"""Curators' accounts: passwords, roles, sessions, sign-in limits and the `flask users` commands."""
