"""The hypothesis profile every property runs under (tests/conftest.py)."""

import os

import hypothesis
import pytest


@pytest.mark.skipif("HYPOTHESIS_PROFILE" in os.environ, reason="another profile was asked for")
def test_properties_have_no_deadline_on_a_loaded_machine() -> None:
    assert hypothesis.settings.default.deadline is None
    assert hypothesis.HealthCheck.too_slow in hypothesis.settings.default.suppress_health_check
    assert hypothesis.settings.default.max_examples == 100
