"""The global filters as one value (queries.filters.Filters), and the scope's narrowing of it."""

from __future__ import annotations

from datetime import date

import pytest

from data.scope import Scope
from queries.filters import ALL, Filters

AS_OF = date(2026, 3, 31)


def test_filters_are_equal_by_value_and_hashable():
    one = Filters(as_of=AS_OF, segments=("Large",), regions=("North", "East"))
    same = Filters(
        as_of=AS_OF, segments=["Large"], regions=["North", "East"]
    )  # lists kept as tuples
    assert one == same
    assert hash(one) == hash(same)
    assert len({one, same, Filters(as_of=AS_OF)}) == 2
    assert same.segments == ("Large",)


def test_params_are_the_four_bind_names():
    chosen = Filters(as_of=AS_OF, segments=("Large",), industries=("Retail",))
    assert chosen.params() == {
        "as_of": AS_OF,
        "segments": ("Large",),
        "regions": (),
        "industries": ("Retail",),
    }
    assert ALL.params() == {"as_of": None, "segments": (), "regions": (), "industries": ()}


def test_narrowed_and_replace():
    assert not Filters(as_of=AS_OF).narrowed
    assert Filters(as_of=AS_OF, regions=("North",)).narrowed
    moved = Filters(as_of=AS_OF, regions=("North",)).replace(as_of=date(2026, 2, 28))
    assert moved == Filters(as_of=date(2026, 2, 28), regions=("North",))


@pytest.mark.parametrize(
    "arguments",
    [
        {"as_of": "2026-03-31"},  # a text, not a date
        {"segments": "Large"},  # a bare string would read as its letters
        {"regions": ("North", 1)},
        {"industries": None},
    ],
)
def test_invalid_values_are_refused(arguments):
    with pytest.raises(TypeError):
        Filters(**arguments)


@pytest.mark.parametrize(
    ("scope_regions", "chosen", "expected"),
    [
        (("North", "East"), (), ("East", "North")),  # nothing chosen: the scope's regions
        (("North", "East"), ("East",), ("East",)),  # a choice inside the scope
        (("North",), ("South",), ("North",)),  # a choice outside the scope is dropped
        (("North",), ("North", "South"), ("North",)),
        (None, ("South",), ("South",)),  # no region scope: the choice as made
    ],
)
def test_narrow_keeps_the_filter_objects_regions_inside_the_scope(scope_regions, chosen, expected):
    filters = Filters(as_of=AS_OF, segments=("Large",), regions=chosen)
    narrowed = Scope(regions=scope_regions).narrow({"filters": filters, "limit": 5})
    assert narrowed == {"filters": filters.replace(regions=expected), "limit": 5}
    assert isinstance(narrowed["filters"], Filters)


def test_narrow_leaves_a_scope_argument_alone():
    other = Scope(regions=("South",))
    narrowed = Scope(regions=("North",)).narrow({"scope": other})
    assert narrowed == {"scope": other}
