"""Bad-input table: nn layer (see tests/bad_input.py for the harness)."""

import pytest
from bad_input import parametrize, run

TABLE = []

EXEMPT = {}


@pytest.mark.parametrize(("probe", "kind", "arg", "value"), parametrize(TABLE))
def test_table(probe, kind, arg, value):
    run(probe, kind, arg, value)
