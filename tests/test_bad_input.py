"""Bad input to every parameter of every lab, from code and from the command line: a clear
one-line refusal naming the parameter, never a traceback (issue 7; covers the labs that exist)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physlab.catalog import all_labs
from physlab.cli import main
from physlab.core.params import ParamError

LABS = all_labs()
PARAMS = [(lab, p) for lab in LABS.values() for p in lab.spec]


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=16))
@pytest.mark.parametrize("lab,param", PARAMS, ids=[f"{l.name}.{p.name}" for l, p in PARAMS])
def test_any_command_line_text_is_parsed_or_refused(lab, param, text):
    try:
        value = param.parse(text)
    except ParamError as err:
        assert err.name == param.name and "\n" not in str(err)
        return
    assert param.check(value) == value


def invalid_values(param):
    """Values outside the rule: past each bound, NaN and ±inf for numbers, wrong types."""
    out = [None, "not-a-value", [object()]]
    if param.kind in ("int", "float", "ints"):
        out += [math.nan, math.inf, -math.inf]
        if param.low is not None:
            out.append(param.low - 1)
        if param.high is not None:
            out.append(param.high * 10 + 1)
    if param.kind in ("choice", "multi"):
        out.append("bogus")
    return out


@pytest.mark.parametrize("lab,param", PARAMS, ids=[f"{l.name}.{p.name}" for l, p in PARAMS])
def test_invalid_values_are_refused_before_anything_runs(lab, param):
    for value in invalid_values(param):
        with pytest.raises(ParamError) as err:
            lab.build({param.name: value}, seed=0)
        assert err.value.name == param.name, value


@pytest.mark.parametrize("lab", LABS.values(), ids=list(LABS))
def test_command_line_refusals_exit_2_with_one_line(lab, tmp_path, capsys):
    out = tmp_path / "never.npz"
    for param in lab.spec:
        if param.kind in ("int", "float"):
            assert (
                main(["run", lab.name, "--set", f"{param.name}=nan", "--out", str(out), "--quiet"])
                == 2
            )
            message = capsys.readouterr().err.strip()
            assert param.name in message and len(message.splitlines()) == 1
    assert (
        main(["run", lab.name, "--set", "no_such_parameter=1", "--out", str(out), "--quiet"]) == 2
    )
    assert "no_such_parameter" in capsys.readouterr().err
    assert not out.exists()
