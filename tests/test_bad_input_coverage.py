"""Every public callable of the package is in a bad-input table, or exempted with a reason."""

import importlib

import pytest
from bad_input import public_callables

# One table module per layer; each defines TABLE (a list of bad_input.Probe) and
# EXEMPT (qualified name -> why the callable takes no input a table could probe).
TABLE_MODULES = ("test_bad_input_core", "test_bad_input_nn", "test_bad_input_studies")


def _key(func):
    return f"{func.__module__}.{func.__qualname__}"


def _tables():
    probed, exempt = set(), {}
    for name in TABLE_MODULES:
        module = importlib.import_module(name)
        probed |= {_key(probe.func) for probe in module.TABLE}
        exempt.update(module.EXEMPT)
    return probed, exempt


def test_every_public_callable_is_probed_or_exempted_with_a_reason():
    probed, exempt = _tables()
    missing = sorted(set(public_callables()) - probed - set(exempt))
    assert not missing, f"{len(missing)} public callables have no bad-input probe: {missing}"


def test_exemptions_name_real_callables_and_give_reasons():
    probed, exempt = _tables()
    public = public_callables()
    unknown = sorted(set(exempt) - set(public))
    assert not unknown, f"exempted names that are not public callables: {unknown}"
    assert all(isinstance(why, str) and len(why) > 10 for why in exempt.values())
    assert not (probed & set(exempt)), "a callable is both probed and exempted"


@pytest.mark.parametrize("name", TABLE_MODULES)
def test_each_table_counts(name):
    """Print the table's size (functions x inputs), the figure the closing note reports."""
    module = importlib.import_module(name)
    cases = sum(1 + sum(1 for _ in probe.cases()) for probe in module.TABLE)
    functions = len({_key(probe.func) for probe in module.TABLE})
    print(f"{name}: {functions} functions, {cases} calls")
    assert functions == 0 or cases > functions
