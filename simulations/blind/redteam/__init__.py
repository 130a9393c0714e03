"""redteam blind traffic set (see README.md)."""
