"""`python -m data build --engine spark`: what the command refuses, without Spark installed
(the build itself: tests/test_spark_engine.py)."""

from __future__ import annotations

import importlib.util

from commands.cli import EXIT_REFUSED, main


def test_spark_options_without_the_spark_engine_are_refused(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert main(["build", "--db", str(db), "--master", "local[1]", "--quiet"]) == EXIT_REFUSED
    assert "--engine spark" in capsys.readouterr().err
    assert not db.exists()


def test_the_spark_engine_without_its_extra_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    db = tmp_path / "w.duckdb"
    assert main(["build", "--engine", "spark", "--db", str(db), "--quiet"]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "pyspark" in err and "missing" in err and "uv sync --extra spark" in err
    assert not db.exists()


def test_the_spark_engine_refuses_a_missing_warehouse(tmp_path, capsys):
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None:
        return  # refused earlier, for the missing extra (the test above)
    db = tmp_path / "w.duckdb"
    assert main(["build", "--engine", "spark", "--db", str(db), "--quiet"]) == EXIT_REFUSED
    assert "no warehouse" in capsys.readouterr().err
    assert not db.exists()
