"""policybot: answers questions about official policy statements from a curated knowledge base.

The core (knowledge, search, answers, runtime, tools) imports nothing from ``telegram`` or
``handlers``; the Telegram layer lives in the top-level ``handlers`` package.
"""

__version__ = "0.1.0"
