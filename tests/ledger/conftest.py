from pathlib import Path

import pytest

CONTRACTS = Path(__file__).parent / "contracts"


@pytest.fixture
def seed_text() -> str:
    return (CONTRACTS / "seed" / "seed_htdz202602135.txt").read_text(encoding="utf-8")
