"""Pandera (polars) models: the source tables users load, and what each query returns."""
