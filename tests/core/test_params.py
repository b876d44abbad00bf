import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from physlab.core.params import Param, ParamError, ParamSpec

SPEC = ParamSpec(
    [
        Param("lr", "float", 0.1, "η", low=1e-6, high=10.0),
        Param("steps", "int", 100, "steps", low=1, high=1000),
        Param("opt", "choice", "gd", "optimiser", choices=("gd", "adam")),
        Param("on", "bool", False, "a switch"),
        Param("width", "ints", [3, 2], "widths", low=1, high=64, max_len=4),
    ]
)


def test_defaults_and_overrides():
    assert SPEC.validate({}) == {"lr": 0.1, "steps": 100, "opt": "gd", "on": False, "width": [3, 2]}
    assert SPEC.validate({"steps": 5.0})["steps"] == 5


@pytest.mark.parametrize(
    "name,value",
    [
        ("lr", -1.0),
        ("lr", math.nan),
        ("lr", math.inf),
        ("lr", "0.1"),
        ("steps", 0),
        ("steps", 2.5),
        ("steps", True),
        ("opt", "sgd"),
        ("on", 1),
        ("width", []),
        ("width", [0]),
        ("width", [1] * 5),
    ],
)
def test_bad_values_are_refused_with_the_rule(name, value):
    with pytest.raises(ParamError) as err:
        SPEC.validate({name: value})
    assert err.value.name == name
    assert SPEC[name].allowed() in str(err.value)


def test_unknown_parameter_lists_known_ones():
    with pytest.raises(ParamError, match="unknown parameter; known: lr, steps"):
        SPEC.validate({"lrr": 1})


def test_unknown_parameter_of_a_long_spec_names_the_closest_in_one_short_line():
    """A lab with many parameters (Collapse has 37) names the closest few instead of all."""
    names = [f"knob_{i:02d}" for i in range(40)] + ["temperature"]
    spec = ParamSpec([Param(n, "float", 1.0, n, low=0.0, high=2.0) for n in names])
    with pytest.raises(ParamError, match="41 are known.*closest: temperature") as err:
        spec.validate({"temperatur": 1.0})
    assert len(str(err.value)) < 200


def test_cli_parsing():
    parsed = SPEC.parse_assignments(["lr=0.5", "steps=1e2", "opt=adam", "on=yes", "width=4,5"])
    assert parsed == {"lr": 0.5, "steps": 100, "opt": "adam", "on": True, "width": [4, 5]}
    for bad in ("lr", "lr=abc", "steps=1.5", "width=4,x", "on=maybe"):
        with pytest.raises(ParamError):
            SPEC.parse_assignments([bad])


def test_when_conditions():
    spec = ParamSpec(
        [
            Param("opt", "choice", "gd", "o", choices=("gd", "mom")),
            Param("beta", "float", 0.9, "β", when={"opt": ("mom",)}),
        ]
    )
    assert not spec.active("beta", {"opt": "gd"})
    assert spec.active("beta", {"opt": "mom"})


def test_invalid_default_is_a_programming_error():
    with pytest.raises(ParamError):
        Param("x", "int", 0, "x", low=1)


@given(
    st.one_of(
        st.text(max_size=12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=6),
    )
)
def test_any_value_is_accepted_or_refused_cleanly(value):
    for p in SPEC:
        try:
            out = p.check(value)
        except ParamError:
            continue
        assert SPEC.validate({p.name: out})[p.name] == out


def test_multi_choice_kind():
    from physlab.core.params import Param, ParamError

    p = Param("strategy", "multi", ["a", "c"], "h", choices=("a", "b", "c"))
    assert p.parse("c, a") == ["a", "c"]  # declared order
    assert p.check("b") == ["b"]
    for bad in ([], ["x"], "a,x", 3, None):
        with pytest.raises(ParamError, match="selection of a, b, c"):
            p.check(bad) if not isinstance(bad, str) else p.parse(bad)
