"""Performance benchmarks for policybot: timing lives here, never in the test suite.

Every benchmark runs on a deterministic synthetic knowledge base (``benchmarks.synth``) in the
project's own YAML format, so results at 1,000 or 100,000 statements are reproducible on any
machine and measure the code the bot really runs (``load_knowledge``, ``SearchIndex.search``,
``build_application``). Each module prints a human-readable table and, as its last line, one
JSON object for scripts; ``RESULTS.md`` records a run and compares it with the targets.
"""
