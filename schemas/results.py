"""Registry of output models: query name -> Pandera DataFrameModel validating its result."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

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
    return model.validate(frame, lazy=True) if model is not None else frame


def _load_models() -> None:
    # Importing the model modules fills the registry through their @register decorators.
    import importlib
    import pkgutil

    import schemas

    for info in pkgutil.iter_modules(schemas.__path__):
        if info.name not in {"results"}:
            importlib.import_module(f"schemas.{info.name}")
