"""Pandera (polars) models: the source tables users load, and what each query returns."""

import warnings

# With the optional Spark extra installed, importing pandera imports pyspark.pandas, which warns on
# every process's stderr that it does not yet support pandas 3; the project uses neither pandas on
# Spark nor pandera's pyspark backend (the Spark engine is data/spark_build.py, on Spark SQL).
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
