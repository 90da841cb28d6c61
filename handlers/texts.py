"""User-facing texts shared by more than one handler family."""

UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
