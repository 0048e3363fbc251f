"""Warehouse: creation and migration, demo generator, ingestion and the derived-table build."""
