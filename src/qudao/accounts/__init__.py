"""Staff and partner users, roles, sessions and API keys."""
