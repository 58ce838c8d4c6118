"""qudao-sdk: a typed client for the qudao partner API."""

from qudao_sdk.client import AsyncQudaoClient, QudaoClient
from qudao_sdk.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    QudaoError,
    RateLimitError,
    ServerError,
)
from qudao_sdk.models import Me, Partner, Recommendation

__all__ = [
    "AsyncQudaoClient",
    "AuthenticationError",
    "BadRequestError",
    "Me",
    "NotFoundError",
    "Partner",
    "QudaoClient",
    "QudaoError",
    "RateLimitError",
    "Recommendation",
    "ServerError",
]
__version__ = "0.1.0"
