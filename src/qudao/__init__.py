"""qudao: partner relationship management for companies that build their channel from zero."""

__version__ = "0.1.0"
