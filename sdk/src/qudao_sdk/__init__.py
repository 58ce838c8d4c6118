"""qudao-sdk: a typed client for the qudao partner API."""

from qudao_sdk.client import AsyncQudaoClient, QudaoClient
from qudao_sdk.deals import Deal, DealLine, DealPage, Product, SalesRep
from qudao_sdk.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    CustomerProtectedError,
    NotFoundError,
    PermissionDeniedError,
    QudaoError,
    RateLimitError,
    ServerError,
)
from qudao_sdk.models import Me, Partner, Recommendation
from qudao_sdk.statements import Balance, Statement, StatementLine, StatementPage

__all__ = [
    "AsyncQudaoClient",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "ConflictError",
    "CustomerProtectedError",
    "Deal",
    "DealLine",
    "DealPage",
    "Me",
    "NotFoundError",
    "Partner",
    "PermissionDeniedError",
    "Product",
    "QudaoClient",
    "QudaoError",
    "RateLimitError",
    "Recommendation",
    "SalesRep",
    "ServerError",
    "Statement",
    "StatementLine",
    "StatementPage",
]
__version__ = "0.1.0"
