"""`python -m benchmarks.peak FILE MODULE ARGS…`: run `python -m MODULE ARGS…` in this process, then
write this process's peak resident memory (MB) into FILE and exit with the module's exit code.

A command's own peak, whatever else the benchmark ran before it (the peak of all children, which is
what the parent process can ask for, is the largest of them)."""

from __future__ import annotations

import resource
import runpy
import sys
from pathlib import Path


def main() -> int:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    code: int | str | None = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code
    finally:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        Path(out).write_text(f"{peak_mb:.1f}\n", encoding="utf-8")
    return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":
    sys.exit(main())
