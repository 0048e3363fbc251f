"""The dashboard's exports are data.export's (CSV and Excel bytes, safe to open in a spreadsheet)."""

from data.export import FORMULA_PREFIXES, neutralise, to_csv, to_xlsx

__all__ = ["FORMULA_PREFIXES", "neutralise", "to_csv", "to_xlsx"]
