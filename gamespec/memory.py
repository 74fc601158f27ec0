"""Memory as a limit: an array is refused before it is built when it would not fit in the
memory this process can still get (the machine's available memory, and an address-space
limit such as `ulimit -v`). The refusal, like a MemoryError that still happens, is a
SolverError: exit 3 with a message, never an internal error.
"""
from __future__ import annotations

import os

from gamespec.errors import SolverError

SHARE = 0.4  # of the memory available, the most one array may take (an expression
# holds two or three arrays of its result's size at once)


def available_bytes() -> int | None:
    """Bytes this process can still allocate, as far as the system says; None if unknown."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm", encoding="ascii") as handle:
                used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limits.append(max(0, soft - used))
    except (ImportError, OSError, ValueError, IndexError):
        pass
    return min(limits) if limits else None


def check_array(elements: int, itemsize: int = 8, what: str = "an array") -> None:
    """Refuse (exit 3) to build `elements` items of `itemsize` bytes that will not fit."""
    needed = elements * itemsize
    if needed < 2**28:  # under 256 MiB: not worth asking
        return
    free = available_bytes()
    if free is not None and needed > SHARE * free:
        raise SolverError(f"{what} needs arrays of {needed / 2**30:.1f} GiB ({elements:,} "
                          f"numbers each): too large for the {free / 2**30:.1f} GiB of memory "
                          "available",
                          hint="reduce the index sets, or run where more memory is free")


def out_of_memory_message() -> str:
    """What the command line prints for a MemoryError."""
    return ("gamespec: error: out of memory: the work needs more memory than this machine "
            "(or its limit) allows\nhint: reduce the sets or the number of players, or lower "
            "--limit array_elements / pure_profiles so that a large model is refused early")
