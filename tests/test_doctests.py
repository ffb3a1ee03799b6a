"""Every module's docstring examples run as tests, so documentation cannot rot."""

import doctest
import importlib
import pkgutil

import pytest

import hwprune_edu

# Modules whose examples need optional heavy parts are still collected; they
# import what they need inside the example.
MODULES = ["hwprune_edu"] + sorted(
    info.name
    for info in pkgutil.walk_packages(hwprune_edu.__path__, prefix="hwprune_edu.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {module_name}"
