"""Partner companies."""
