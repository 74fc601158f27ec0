"""One analysis per document version: the words of the text, its parse, its Model (or the
located error that stopped the checks), and the game's class when first asked for.

Positions here are 0-based (line, column) in code points; the server converts them to the
client's units. Nothing raises: every failure is kept as the error to report."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from gamespec.errors import GamespecError, Span, SpecError


@dataclass(frozen=True)
class Word:
    """An identifier in the text (outside strings and comments)."""

    text: str
    line: int
    start: int
    end: int
    column_of: str | None = None  # `p` in `city.p`: a column of the data table `city`

    def contains(self, line: int, column: int) -> bool:
        return self.line == line and self.start <= column <= self.end


@lru_cache(maxsize=1)
def _scanner() -> re.Pattern:
    from gamespec.language.vocabulary import shape

    parts = [f"(?P<skip>{shape('COMMENT')}|{shape('STRING')}|\"[^\"\\n]*$)",
             f"(?P<num>{shape('PERCENT')}|{shape('NUMBER')})",
             r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)"]
    return re.compile("|".join(parts), re.MULTILINE)


def scan_words(source: str) -> list[Word]:
    """Every identifier, in order (a primed u'' counts as u)."""
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    words: list[Word] = []
    for match in _scanner().finditer(source):
        if match.lastgroup == "word":
            line = bisect_right(starts, match.start()) - 1
            col = match.start() - starts[line]
            before = source[max(match.start() - 2, 0):match.start()]
            table = None
            if before.endswith(".") and not before.endswith("..") and words:
                last = words[-1]
                if last.line == line and last.end == col - 1:
                    table = last.text
            words.append(Word(match.group(), line, col, col + len(match.group()), table))
    return words


@dataclass
class Analysis:
    """What the checks found for one version of one document."""

    path: str
    source: str
    version: int | None
    words: list[Word]
    spec: object | None = None  # ast.Spec when the text parses
    model: object | None = None  # Model when every check passes
    error: GamespecError | None = None
    checked: bool = False  # the slow stage ran
    _class: object = field(default=None, repr=False)
    _lines: list | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        """The lines with their ends (as pygls counts them), split once."""
        if self._lines is None:
            self._lines = self.source.splitlines(keepends=True) or [""]
        return self._lines

    def word_at(self, line: int, column: int) -> Word | None:
        for word in self.words:
            if word.contains(line, column):
                return word
        return None

    def class_summary(self) -> str | None:
        """The inferred class of the game (gamespec.analysis), computed once per version."""
        if self.model is None:
            return None
        if self._class is None:
            try:
                from gamespec.analysis import classify
                from gamespec.solvers.registry import describe_class

                self._class = describe_class(classify(self.model))
            except Exception as exc:  # noqa: BLE001 - hover still answers
                self._class = f"(not classified: {exc})"
        return self._class


def parse_document(source: str, path: str, version: int | None = None) -> Analysis:
    """The fast stage: the words and the parse (a syntax error is kept); never raises."""
    from gamespec.language.efg_model import is_efg
    from gamespec.language.parser import parse

    result = Analysis(path, source, version, [])
    _guarded(result, lambda: _parse_into(result, parse, is_efg))
    return result


def build(result: Analysis) -> Analysis:
    """The slow stage: the Model, with every check `gamespec check` makes; never raises."""
    from gamespec.language.loader import model_from_string
    from gamespec.language.model_builder import build_model

    def run():
        if result.error is not None:
            return
        if result.spec is None:  # a Gambit .efg text
            result.model = model_from_string(result.source, result.path)
        else:
            result.model = build_model(result.spec)

    _guarded(result, run)
    result.checked = True
    return result


def analyse(source: str, path: str, version: int | None = None) -> Analysis:
    """Both stages."""
    return build(parse_document(source, path, version))


def _parse_into(result: Analysis, parse, is_efg) -> None:
    result.words = scan_words(result.source)
    if not is_efg(result.source):
        result.spec = parse(result.source, result.path)


def _guarded(result: Analysis, step) -> None:
    try:
        step()
    except GamespecError as exc:
        result.error = exc
    except RecursionError:
        result.error = SpecError("the spec is nested too deeply", span=Span(result.path, 1, 1))
    except Exception as exc:  # noqa: BLE001 - untrusted text must never stop the server
        result.error = SpecError(f"internal error: {type(exc).__name__}: {exc}",
                                 span=Span(result.path, 1, 1),
                                 hint="`gamespec check --debug FILE` shows the traceback")
