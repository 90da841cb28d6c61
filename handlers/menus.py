"""The command menus Telegram shows: separate lists for private chats, groups and admins."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.constants import BotCommandLimit
from telegram.error import TelegramError

from handlers.context import PolicyApp

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = BotCommandLimit.MAX_DESCRIPTION

PRIVATE_COMMANDS = (
    ("start", "Welcome and example questions"),
    ("help", "How to ask, and what I can do"),
    ("topics", "Topics I know about"),
    ("topic", "Statements on a topic, newest first: /topic {topic}"),
    ("speakers", "Who I have statements from"),
    ("speaker", "Statements by a speaker: /speaker {speaker}"),
    ("latest", "The newest statements"),
    ("about", "Knowledge base version and counts"),
)
GROUP_COMMANDS = (
    ("ask", "Ask about a policy statement: /ask {topic}"),
    ("topics", "Topics I know about"),
    ("latest", "The newest statements"),
    ("help", "How to use me in a group"),
)
ADMIN_COMMANDS = (
    ("reload", "Reload the knowledge base now"),
    ("unanswered", "Questions I could not answer"),
)


async def publish_commands(app: PolicyApp) -> None:
    """Separate command menus for private chats, groups and each admin's private chat."""
    bot = app.bot
    examples = app.bot_data.services.library.index.examples()
    names = {"topic": examples.topic, "speaker": examples.speaker}

    def commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
        """Descriptions with examples from the knowledge base, within Telegram's limit."""
        return [
            BotCommand(name, description.format(**names)[:MAX_DESCRIPTION])
            for name, description in pairs
        ]

    await bot.set_my_commands(commands(PRIVATE_COMMANDS), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(commands(GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats())
    for admin_id in sorted(app.bot_data.services.settings.admin_ids):
        try:
            await bot.set_my_commands(
                commands(PRIVATE_COMMANDS + ADMIN_COMMANDS),
                scope=BotCommandScopeChat(chat_id=admin_id),
            )
        except TelegramError as exc:  # the admin has not started a chat with the bot yet
            logger.warning("Could not publish admin commands for %s: %s", admin_id, exc)
