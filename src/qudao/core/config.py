"""Settings read from the environment (prefix ``QUDAO_``) and from ``.env``."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})
MIN_SECRET_LENGTH = 32


def default_data_dir() -> Path:
    return Path.cwd() / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUDAO_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    secret_key: str = ""
    default_locale: Literal["en", "zh-CN"] = "en"
    # Idle and absolute session lifetimes (OWASP: idle 15–30 min for low-risk apps).
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # How long a rotated API key keeps working (at most a week).
    key_rotation_overlap_hours: int = Field(default=24, ge=0, le=168)
    login_failures_before_delay: int = 5
    login_failures_before_lock: int = 100
    max_body_bytes: int = 1024 * 1024
    cors_origins: list[str] = Field(default_factory=list)
    # Recommendation models: versioned files and the CURRENT pointer (default: data_dir/models).
    models_dir: Path | None = None
    # Per-key quota of the partner API: requests per window.
    api_rate_limit: int = Field(default=600, ge=1)
    api_rate_window_seconds: int = Field(default=60, ge=1)
    # How long a server worker may trust what it learnt about a partner API key. Revocation
    # still takes effect at once through a counter in data_dir; 0 looks every key up on every
    # call, which several machines serving one database without a shared data_dir need.
    api_key_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    # A purchase of a recommended product within this many days is the partner's conversion.
    attribution_window_days: int = Field(default=90, ge=1, le=730)
    # How often a server worker looks for a newly trained model.
    model_check_seconds: float = Field(default=5.0, gt=0)
    # Runs the app and the CLI this many days ahead of the real clock, to try what time does
    # (protection expiry, inactivity alerts, expiring agreements). Refused in production.
    time_travel_days: int = Field(default=0, ge=0, le=3650)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'qudao.db'}"
        if self.models_dir is None:
            self.models_dir = self.data_dir / "models"
        if self.env == "production":
            weak = self.secret_key.strip().lower() in PLACEHOLDER_SECRETS
            if weak or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    "QUDAO_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production; generate one with: python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'"
                )
        elif not self.secret_key:
            self.secret_key = _development_secret(self.data_dir)
        if self.env == "production" and self.time_travel_days:
            raise ValueError("QUDAO_TIME_TRAVEL_DAYS is for trying qudao out: unset it in "
                             "production")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def model_directory(self) -> Path:
        assert self.models_dir is not None
        return self.models_dir

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _development_secret(data_dir: Path) -> str:
    """Generate a secret once and keep it, so sessions and key digests survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
