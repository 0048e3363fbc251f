"""Registry of output models: query name -> Pandera DataFrameModel validating its result.

Every query result is validated against its model. How deep is set by $RISK_RESULT_CHECKS:
`schema` (the default in the dashboard) checks the columns, their types and nullability, which costs
about 3 ms a query; `full` (the test suite sets it) also runs every value check (ranges, categories,
uniqueness), which costs 5-40 ms a query on 2 cores. Results come from this project's own SQL over
tables already validated on load, so their value checks are assertions about that SQL: the tests run
them on every query, and the dashboard keeps its speed. Loaded files are always checked in full.
"""

from __future__ import annotations

import os

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

RESULT_MODELS: dict[str, type[pa.DataFrameModel]] = {}


def register(name: str):
    """Class decorator: validate results of queries/sql/<name>.sql with this model."""

    def wrap(model: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
        RESULT_MODELS[name] = model
        return model

    return wrap


def validate_result(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The frame, checked against the model registered for `name` (unchanged when none is)."""
    _load_models()
    model = RESULT_MODELS.get(name)
    if model is None:
        return frame
    if os.environ.get("RISK_RESULT_CHECKS", "schema") == "full":
        return model.validate(frame, lazy=True)
    with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
        return model.validate(frame, lazy=True)


def _load_models() -> None:
    # Importing the model modules fills the registry through their @register decorators.
    import importlib
    import pkgutil

    import schemas

    for info in pkgutil.iter_modules(schemas.__path__):
        if info.name not in {"results"}:
            importlib.import_module(f"schemas.{info.name}")
