"""The Answer every front end shows, and its plain-text, Telegram-HTML and JSON renderings."""
