"""Database plumbing: the declarative base, engines, and the unit of work."""
