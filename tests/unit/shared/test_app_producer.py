"""The producer linger the settings give is the one each worker's faust producer uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.kafka.app import make_app
from shared.settings import Settings


def test_the_worker_producer_lingers_as_the_settings_say(tmp_path: Path) -> None:
    app = make_app("cleaner", Settings(state_dir=tmp_path))
    assert app.producer.linger_ms == 5  # what faust hands aiokafka's producer
    at_once = make_app("cleaner", Settings(state_dir=tmp_path, producer_linger_ms=0))
    assert at_once.producer.linger_ms == 0


def test_a_negative_linger_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="producer_linger_ms"):
        Settings(producer_linger_ms=-1)
