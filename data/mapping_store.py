"""Mappings saved for next time, in a folder beside the warehouse: `<warehouse file>.mappings/`
(data/warehouse.duckdb.mappings/ by default, git-ignored with the warehouse).

Beside the warehouse and not inside it: a load replaces the warehouse file whole, and a mapping
is a file a user may also read, edit and pass to `python -m data ingest --mapping FILE`. Each is
one TOML file named after what the user called it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from data import warehouse
from data.mapping import PRESETS, Mapping, MappingError, parse_mapping

HEADER = (
    "# A mapping saved on the Data page: how files like these feed the warehouse tables.\n"
    "# Every key is explained in docs/mapping.md; use it with\n"
    "#   python -m data ingest FILE --mapping {path}\n\n"
)


@dataclass(frozen=True)
class SavedMapping:
    name: str  # the file's stem, as the user named it
    path: Path
    document: dict
    mapping: Mapping
    preset: bool = False  # shipped with the project (data/mappings/), not saved by a user


def folder(db: str | os.PathLike[str] | None = None) -> Path:
    """The folder of saved mappings of the warehouse `db` (default: data.warehouse.db_path)."""
    path = warehouse.db_path(db)
    return path.with_name(path.name + ".mappings")


def safe_name(text: str) -> str:
    """A file stem from what the user typed: letters, digits, '-' and '_' (others become '_'),
    at most 60 characters; 'mapping' when nothing is left."""
    stem = re.sub(r"[^\w\-]+", "_", text.strip(), flags=re.ASCII).strip("._")
    return stem[:60] or "mapping"


def to_toml(document: dict, path: str = "MAPPING.toml") -> str:
    """The mapping document as the text of a mapping file, with a comment saying what it is."""
    return HEADER.format(path=path) + tomli_w.dumps(document)


def save(document: dict, name: str, db: str | os.PathLike[str] | None = None) -> Path:
    """Write the (already checked) mapping document as `<folder>/<safe name>.toml`, replacing
    one of that name; the file appears whole or not at all. Returns its path."""
    target_folder = folder(db)
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / f"{safe_name(name)}.toml"
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.write_text(to_toml(document, str(target)), encoding="utf-8")
    os.replace(staging, target)
    return target


def saved(db: str | os.PathLike[str] | None = None) -> list[SavedMapping]:
    """Every readable saved mapping, by name; a file that is not a valid mapping is left out."""
    return _read_all(folder(db), preset=False)


def presets() -> list[SavedMapping]:
    """The mappings shipped in data/mappings/ (invoice_list, sap_fbl5n, …)."""
    return _read_all(PRESETS, preset=True)


def _read_all(where: Path, preset: bool) -> list[SavedMapping]:
    found = []
    for path in sorted(where.glob("*.toml")):
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
            mapping = parse_mapping(document, path.name)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, MappingError):
            continue
        found.append(SavedMapping(path.stem, path, document, mapping, preset))
    return found


def matching(file_name: str, db: str | os.PathLike[str] | None = None) -> list[SavedMapping]:
    """The saved mappings, then the presets, with a [[file]] pattern that matches `file_name`."""
    candidates = [*saved(db), *presets()]
    return [s for s in candidates if s.mapping.for_file(file_name) is not None]
