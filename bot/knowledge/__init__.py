"""The knowledge base: frozen models, safe YAML, and a loader that reports every problem."""
