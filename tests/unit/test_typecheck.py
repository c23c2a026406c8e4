"""The statutory engine and the services are type-checked strictly (settings in mypy.ini)."""

from pathlib import Path

import pytest
from mypy import api

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_is_clean():
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(ROOT / ".mypy_cache")]
    )
    assert status == 0, stdout + stderr
