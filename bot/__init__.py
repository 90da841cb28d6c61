"""policybot: answers questions about official policy statements from a curated knowledge base."""

__version__ = "0.1.0"


class PolicybotError(Exception):
    """Root of every error this package raises on purpose, so callers can catch ours only."""
