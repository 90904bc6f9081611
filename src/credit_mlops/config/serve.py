"""`[serve]`: what `credit serve` answers with, where it listens, who may call it, and
where it keeps the journal of its decisions."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from credit_mlops.config.base import Section


class ServeSettings(Section):
    # The model served when `credit serve` is given no TARGET: an alias follows promotions.
    target: str = Field("scorecard@production", min_length=1)
    host: str = "127.0.0.1"  # any other address needs a token (or --insecure)
    port: int = Field(8080, ge=1, le=65535)  # 0 (any free port) would be a port nobody knows
    workers: int = Field(1, ge=1, le=64)
    # How often the registry is asked where the target points now (seconds): at least 1
    # (a shorter period only busies the registry), at most an hour.
    poll_seconds: float = Field(5.0, ge=1, le=3600)
    reasons: int = Field(4, ge=0, le=20)  # per applicant unless the request asks otherwise
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_applicants: int = Field(1000, ge=1)  # per request
    # Bearer token: from CREDIT_SERVE__TOKEN or a file (never a flag, a profile or a log).
    token: SecretStr | None = None
    token_file: Path | None = None
    # The decision journal: JSON lines, one file per worker, a new file each day and
    # whenever one reaches rotate_bytes. Default: <store folder>/journal.
    journal: bool = True
    journal_dir: Path | None = None
    journal_rotate_bytes: int = Field(64 * 1024 * 1024, ge=4096)
    journal_drop: list[str] = Field(default_factory=list)  # columns never written
    journal_hash: list[str] = Field(default_factory=list)  # columns written as a digest

    @field_validator("host")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if not value.strip():  # never "every interface" by omission
            raise ValueError("is empty; give an address (127.0.0.1 serves this machine only)")
        return value
