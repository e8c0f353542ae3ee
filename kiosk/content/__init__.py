"""What the timeline holds, whoever looks at it: published content, dates, places, figures, media,
curator text, the title and run-time settings."""
