"""What a running bot needs besides answering: the live library, reloads, storage, limits."""
