"""Secrets from files (FRONTWIRE_SECRETS_DIR), as Docker and Kubernetes mount them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.settings import SettingsError, load_settings


def test_tokens_come_from_files_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "FRONTWIRE_API_TOKEN").write_text("api-from-file\n")
    (tmp_path / "FRONTWIRE_WEBHOOK_SECRET").write_text("hook-from-file")
    monkeypatch.setenv("FRONTWIRE_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("FRONTWIRE_WEBHOOK_SECRET", "hook-from-env")
    settings = load_settings()
    assert settings.api_token is not None and settings.webhook_secret is not None
    assert settings.api_token.get_secret_value() == "api-from-file"
    assert settings.webhook_secret.get_secret_value() == "hook-from-env"
    assert "api-from-file" not in repr(settings)


def test_a_missing_secrets_dir_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRONTWIRE_SECRETS_DIR", str(tmp_path / "nope"))
    with pytest.raises(SettingsError, match="FRONTWIRE_SECRETS_DIR"):
        load_settings()
