"""Run a console script under cProfile with every thread profiled, not only the main one.

``python -m cProfile`` sees the main thread alone; ``audit consume`` handles its events in a
thread of its own (servicekit.cli runs each subscription in one), so that profile showed
nothing but the main thread waiting. Here each thread gets a profiler, and their statistics
are merged into one file when the process ends:

    python bench/profiled.py OUT.prof SCRIPT [ARGS...]
"""

from __future__ import annotations

import cProfile
import pstats
import runpy
import sys
import threading


def main() -> None:
    out, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    profiles: list[cProfile.Profile] = []
    thread_run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
        try:
            thread_run(self)
        finally:
            profile.disable()

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    main_profile = cProfile.Profile()
    main_profile.enable()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        pass
    finally:
        main_profile.disable()
        stats = pstats.Stats(main_profile)
        for profile in profiles:  # a thread still running is counted up to now
            try:
                stats.add(profile)
            except TypeError:  # a thread that never ran anything profiled
                continue
        stats.dump_stats(out)


if __name__ == "__main__":
    main()
