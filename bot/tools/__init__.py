"""Maintainer and operator tools: the CLI, the console chat, lint, eval, draft, reports."""
