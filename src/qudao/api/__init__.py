"""The staff and partner JSON API under /api/v1."""
