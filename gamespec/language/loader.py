"""One call from a file (or a string) to a Model."""
from __future__ import annotations

from pathlib import Path

from gamespec.errors import Span, SpecError
from gamespec.language.model_builder import build_model
from gamespec.language.parser import parse
from gamespec.model import Model


def read_spec(path: str | Path) -> str:
    from gamespec.file_limits import read_bytes

    try:
        data = read_bytes(path, "spec file", Span(str(path), 1, 1))
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}", span=None) from None
    except IsADirectoryError:
        raise SpecError(f"{path} is a folder, not a spec file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"spec is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        span=Span(str(path), 1, 1)) from None


def load_model(path: str | Path, overrides=None, allow_data=(), data_mirror=None) -> Model:
    source = read_spec(path)
    return model_from_string(source, str(path), overrides, allow_data, data_mirror)


def model_from_string(source: str, path: str = "<string>", overrides=None, allow_data=(),
                      data_mirror=None) -> Model:
    from gamespec.language.efg_model import is_efg, model_from_efg

    source = source.removeprefix("\ufeff")  # a byte-order mark some editors write first
    if is_efg(source):  # a Gambit game tree, read as it is
        return model_from_efg(source, path, overrides)
    spec = parse(source, path)
    return build_model(spec, overrides, allow_data, data_mirror)
