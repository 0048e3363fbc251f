"""The pages' questions, one SQL file each in queries/sql/, run by data.runner's statement path.

SQL never gets values by string formatting: `$name` placeholders in the file are bound from keyword
arguments, and a result is validated against the Pandera model registered under the file's name in
`schemas.results`, when there is one (see data/runner.py). The warehouse's own definitions (the
build, the load, the policy in force, the alert keys) are data/sql/'s, run by data.runner.
"""

from __future__ import annotations

from pathlib import Path

from data.runner import Statements

SQL_DIR = Path(__file__).resolve().parent / "sql"

_STATEMENTS = Statements(SQL_DIR)
sql_text = _STATEMENTS.text
run = _STATEMENTS.run
execute = _STATEMENTS.execute
