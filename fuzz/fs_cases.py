"""File-system cases, run as real command-line processes inside a temporary folder (and
nowhere else): the spec (or a data or stage file it reads) is a FIFO, a folder, a sparse
file over the file_bytes limit, a gzip bomb, a name of 255 / 256 bytes or a path of 4,096
bytes, non-UTF-8 text, a byte-order mark, NUL bytes, a symlink loop, standard input that
never ends. Every case must end within its timeout with its expected exit code (2 or 3
and an error message for bad input; never a traceback or exit 70).

    nice -n 19 python fuzz/fs_cases.py            # every case x check, info, derive, solve
"""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

VALID = ('game "g"\nplayer a { choose x in {U, D} }\nplayer b { choose y in {L, R} }\n'
         "payoff a = [x == U] * [y == L]\npayoff b = [x == D] * [y == R]\n")
DATA_SPEC = ('game "d"\ndata t = csv("{name}", key = id)\nset R = t.rows\n'
             "player a {{ choose x in R }}\npayoff a = t.p[x]\n")
STAGE_SPEC = ('param d = 0.9\nplayer r { choose a in {Co, De} }\nplayer c { choose b in '
              '{Co, De} }\nstage one = "{name}"\nrepeated {{ discount d stage one sustain '
              '(Co, Co) strategy grim }}\n')
HUGE = 300 * 2**20  # over the default file_bytes limit (256 MiB); sparse, so free on disk
ERROR = {2, 3}


@dataclass
class Case:
    name: str
    setup: object  # function(folder) -> (argument: the spec path or "-", stdin or None)
    expect: set = field(default_factory=lambda: set(ERROR))
    slow: bool = False  # left out of the quick sample the tests run


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _gzip_bomb(path: Path, size: int) -> Path:
    """A gzip file of `size` zero bytes (a few hundred KiB on disk), a header line first."""
    block = b"0" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b"id,p\n")
        for _ in range(size // len(block)):
            f.write(block)
    return path


def _data_case(make_data):
    def setup(folder: Path):
        name = make_data(folder)
        return _write(folder, "s.game", DATA_SPEC.format(name=name).encode()), None
    return setup


def _stage_case(make_stage):
    def setup(folder: Path):
        name = make_stage(folder)
        return _write(folder, "s.game", STAGE_SPEC.replace("{name}", name)
                      .replace("{{", "{").replace("}}", "}").encode()), None
    return setup


def _long_path(folder: Path):
    deep = folder
    while len(str(deep)) < 4000:
        deep = deep / ("d" * 200)
    return str(deep / ("x" * 120 + ".game")), None


def _symlink_loop(folder: Path):
    (folder / "a.game").symlink_to(folder / "b.game")
    (folder / "b.game").symlink_to(folder / "a.game")
    return folder / "a.game", None


CASES = [
    Case("spec_fifo", lambda f: (_fifo(f / "s.game"), None)),
    Case("spec_directory", lambda f: ((f / "s.game").mkdir() or f / "s.game", None)),
    Case("spec_sparse_huge", lambda f: (_sparse(f / "s.game", HUGE), None)),
    Case("spec_dev_zero_link", lambda f: ((f / "s.game").symlink_to("/dev/zero")
                                          or f / "s.game", None)),
    Case("spec_symlink_loop", _symlink_loop),
    Case("spec_missing", lambda f: (f / "nowhere.game", None)),
    Case("spec_empty", lambda f: (_write(f, "s.game", b""), None), {0, 2, 3}),
    Case("name_255_bytes", lambda f: (_write(f, "n" * 250 + ".game", VALID.encode()), None),
         {0}),
    Case("name_256_bytes", lambda f: (f / ("n" * 251 + ".game"), None)),
    Case("path_4096_bytes", _long_path),
    Case("non_utf8", lambda f: (_write(f, "s.game", VALID.encode() + b"\xff\xfe\x80 \xc3("),
                                None)),
    Case("latin1_title", lambda f: (_write(f, "s.game", b'game "caf\xe9"\n' +
                                           VALID.encode()), None)),
    Case("bom_valid", lambda f: (_write(f, "s.game", b"\xef\xbb\xbf" + VALID.encode()), None),
         {0}),
    Case("bom_only", lambda f: (_write(f, "s.game", b"\xef\xbb\xbf"), None), {0, 2, 3}),
    Case("double_bom", lambda f: (_write(f, "s.game", b"\xef\xbb\xbf" * 2 + VALID.encode()),
                                  None)),
    Case("utf16", lambda f: (_write(f, "s.game", VALID.encode("utf-16")), None)),
    Case("nul_bytes", lambda f: (_write(f, "s.game", VALID.encode().replace(b"\n", b"\x00\n",
                                                                            2)), None)),
    Case("all_nul", lambda f: (_write(f, "s.game", b"\x00" * 4096), None)),
    Case("stdin_dev_zero", lambda f: ("-", "/dev/zero"), slow=True),
    Case("stdin_non_utf8", lambda f: ("-", _write(f, "in.bin", b"\xff\xfe\x00game"))),
    Case("data_fifo", _data_case(lambda f: _fifo(f / "d.csv").name)),
    Case("data_directory", _data_case(lambda f: (f / "d.csv").mkdir() or "d.csv")),
    Case("data_sparse_huge", _data_case(lambda f: _sparse(f / "d.csv", HUGE).name)),
    Case("data_gzip_bomb", _data_case(lambda f: _gzip_bomb(f / "d.csv", HUGE).name),
         slow=True),
    Case("data_nul_bytes", _data_case(lambda f: _write(f, "d.csv", b"id,p\n1,0.5\x00\n2,\x00\n")
                                      .name)),
    Case("data_non_utf8", _data_case(lambda f: _write(f, "d.csv", b"id,p\n\xff,0.5\n").name),
         {0, 2, 3}),
    Case("data_truncated_gzip", _data_case(lambda f: _write(
        f, "d.csv", gzip.compress(b"id,p\n1,0.5\n" * 100)[:40]).name)),
    Case("data_name_256_bytes", _data_case(lambda f: "d" * 252 + ".csv")),
    Case("data_symlink_outside", _data_case(lambda f: (f / "d.csv").symlink_to("/etc/hostname")
                                            or "d.csv")),
    Case("stage_fifo", _stage_case(lambda f: _fifo(f / "st.game").name)),
    Case("stage_sparse_huge", _stage_case(lambda f: _sparse(f / "st.game", HUGE).name)),
    Case("stage_directory", _stage_case(lambda f: (f / "st.game").mkdir() or "st.game")),
]
COMMANDS = ("check", "info", "derive", "solve")


# --time-limit bounds a read that would block; it counts from the start of the process
# (imports included), so it is generous: on a loaded machine 10 s can pass before loading.
TIME_LIMIT = "60"


def run_case(case: Case, command: str, timeout: float = 150.0) -> tuple[bool, str]:
    """Run one case with one command in a fresh temporary folder: (passed, what happened)."""
    with tempfile.TemporaryDirectory(prefix="gamespec-fs-") as tmp:
        folder = Path(tmp)
        spec, stdin = case.setup(folder)
        argv = [sys.executable, "-m", "gamespec.cli", command, str(spec)]
        if command != "check":
            argv += ["--time-limit", TIME_LIMIT]
        started = time.monotonic()
        try:
            with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
                done = subprocess.run(argv, stdin=source, capture_output=True, timeout=timeout,
                                      cwd=tmp)
        except subprocess.TimeoutExpired:
            return False, f"hang: no exit within {timeout:g} s"
        took = time.monotonic() - started
    err = done.stderr.decode("utf-8", "replace")
    code = done.returncode
    problems = []
    if code not in case.expect:
        problems.append(f"exit {code}, expected {sorted(case.expect)}")
    if "Traceback" in err or code == 70:
        problems.append("traceback / internal error")
    if code in ERROR and "error" not in err:
        problems.append("no error message")
    last = err.strip().splitlines()[-1][:200] if err.strip() else ""
    return not problems, f"exit {code} in {took:.1f} s: " + ("; ".join(problems) or last)


def run_case_in_process(case: Case, command: str) -> tuple[bool, str]:
    """The same, through `gamespec.cli.main` in this process (no FIFO on standard input)."""
    import contextlib
    import io

    from gamespec.cli import main as cli_main

    with tempfile.TemporaryDirectory(prefix="gamespec-fs-") as tmp:
        spec, stdin = case.setup(Path(tmp))
        assert stdin is None, "standard input cases run as processes"
        argv = [command, str(spec)] + (["--time-limit", TIME_LIMIT] if command != "check"
                                       else [])
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli_main(argv)
    text = err.getvalue()
    ok = code in case.expect and "Traceback" not in text and code != 70 and (
        code not in ERROR or "error" in text)
    return ok, f"exit {code}: {text.strip()[-200:]}"


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commands", default=",".join(COMMANDS))
    ap.add_argument("--quick", action="store_true", help="leave out the slow cases")
    args = ap.parse_args(argv)
    failed = 0
    for case in CASES:
        if args.quick and case.slow:
            continue
        for command in args.commands.split(","):
            ok, what = run_case(case, command)
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {case.name:<22} {command:<7} {what}", flush=True)
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
