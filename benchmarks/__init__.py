"""Benchmarks: build stages, each page's data work against the raw-DuckDB floor and a pandas peer."""
