"""Changing content: the one writer and what every change records (revisions, conflicts, trash, audit)."""
