"""The package's one exception root."""


class PolicybotError(Exception):
    """Root of every error this package raises on purpose, so callers can catch ours only."""
