"""The Telegram layer: the application factory (``handlers.app``), typed shared state
(``handlers.context``), network policy, views and texts, and one module per handler family,
each exposing ``register(app)``. Nothing in ``bot`` imports from here."""
