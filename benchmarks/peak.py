"""`python -m benchmarks.peak FILE MODULE ARGS…`: run `python -m MODULE ARGS…` in this process, then
write this process's peak resident memory (MB) into FILE and exit with the module's exit code.

A command's own peak, whatever else the benchmark ran before it (the peak of all children, which is
what the parent process can ask for, is the largest of them). Read as VmHWM from /proc/self/status:
Linux keeps ru_maxrss across fork and exec, so a child of a parent that had built a warehouse in
its own process (5.5 GB at `large`) would report the parent's peak; VmHWM belongs to the memory the
exec gave this process."""

from __future__ import annotations

import resource
import runpy
import sys
from pathlib import Path


def _own_peak_kib() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])  # kB
    return resource.getrusage(
        resource.RUSAGE_SELF
    ).ru_maxrss  # KiB on Linux, where there is no /proc


def main() -> int:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    code: int | str | None = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code
    finally:
        peak_mb = _own_peak_kib() / 1024
        Path(out).write_text(f"{peak_mb:.1f}\n", encoding="utf-8")
    return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":
    sys.exit(main())
