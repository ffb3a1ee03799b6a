"""Fixtures shared by the test modules that train or time torch models."""

import pytest


@pytest.fixture(scope="module")
def one_thread():
    """Run the module's torch work on one thread (restored after).

    Other jobs share this machine's cores; torch's waiting threads would spin.
    Modules opt in with ``pytestmark = pytest.mark.usefixtures("one_thread")``.
    """
    from hwprune_edu.nn import fixed_threads

    with fixed_threads(1):
        yield


@pytest.fixture(scope="session")
def data():
    """The digits splits, loaded once for the whole run (read-only by convention)."""
    from hwprune_edu.nn.data import load_digits

    return load_digits()
