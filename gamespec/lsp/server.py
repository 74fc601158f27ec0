"""The language server over stdio (pygls). Each document version is parsed once (fast:
syntax errors, names, outline); the full checks of `gamespec check` then run in one worker
thread and publish their diagnostics unless a newer version has arrived meanwhile. Every
handler is guarded: bad input becomes a diagnostic or an empty answer, never a crash."""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import ServerTextPosition

from gamespec import __version__
from gamespec.lsp.completion import column_completions, completions
from gamespec.lsp.diagnostics import diagnostics
from gamespec.lsp.document import Analysis, build, parse_document
from gamespec.lsp.hover import hover_text
from gamespec.lsp.navigation import definition, references
from gamespec.lsp.outline import outline
from gamespec.lsp.symbols import definitions, flat

log = logging.getLogger("gamespec.lsp")
_DOTTED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$")  # `t.` or `t.ps`


class GamespecServer(LanguageServer):
    """Per document: the current analysis, the last one that parsed, the last one checked."""

    def __init__(self) -> None:
        super().__init__("gamespec", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.current: dict[str, Analysis] = {}
        self.parsed: dict[str, tuple[Analysis, list, dict]] = {}
        self.checked: dict[str, Analysis] = {}
        self.shutdown_received = False
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gamespec-check")

    async def refresh(self, uri: str) -> None:
        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        analysis = parse_document(doc.source, path, doc.version)
        self.current[uri] = analysis
        if analysis.spec is not None:
            symbols = definitions(analysis)
            self.parsed[uri] = (analysis, symbols, flat(symbols))
        if analysis.error is None:
            await asyncio.get_running_loop().run_in_executor(self.pool, self._check, uri,
                                                             analysis)
            if self.current.get(uri) is not analysis:
                return  # a newer version is being checked
            if analysis.model is not None:  # hover's values come from the last good one
                self.checked[uri] = analysis
        self.publish(uri, analysis)

    def _check(self, uri: str, analysis: Analysis) -> None:
        if self.current.get(uri) is analysis:  # skip versions already replaced
            build(analysis)
            analysis.class_summary()

    def publish(self, uri: str, analysis: Analysis) -> None:
        found = [_client_diagnostic(d, analysis, self.codec) for d in diagnostics(analysis)]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=analysis.version, diagnostics=found))

    @property
    def codec(self):
        return self.workspace.position_codec

    # ------------------------------------------------------------ positions
    def word_at(self, uri: str, position: types.Position):
        analysis = self.current.get(uri)
        if analysis is None:
            return None, None
        server = self.codec.position_from_client_units(analysis.lines, position)
        return analysis, analysis.word_at(server.line, server.character)

    def location(self, uri: str, analysis: Analysis, word) -> types.Location:
        return types.Location(uri, self.word_range(analysis, word))

    def word_range(self, analysis: Analysis, word) -> types.Range:
        return self.to_range(analysis, word.line, word.start, word.line, word.end)

    def to_range(self, analysis, line, col, end_line, end_col) -> types.Range:
        lines = analysis.lines
        return types.Range(
            self.codec.position_to_client_units(lines, ServerTextPosition(line, col)),
            self.codec.position_to_client_units(lines, ServerTextPosition(end_line, end_col)))

    def table(self, uri: str, analysis: Analysis) -> dict:
        """The symbol table of `analysis` when it parsed, else none (navigation then
        falls back to reading the words)."""
        entry = self.parsed.get(uri)
        return entry[2] if entry is not None and entry[0] is analysis else {}


def _client_diagnostic(d: types.Diagnostic, analysis: Analysis, codec) -> types.Diagnostic:
    lines = analysis.lines
    last = len(lines) - 1
    start = ServerTextPosition(min(d.range.start.line, last), d.range.start.character)
    end = ServerTextPosition(min(d.range.end.line, last), d.range.end.character)
    d.range = types.Range(codec.position_to_client_units(lines, start),
                          codec.position_to_client_units(lines, end))
    return d


def guarded(default=None):
    """A handler that logs any failure and answers `default` instead of crashing."""
    def wrap(handler):
        if asyncio.iscoroutinefunction(handler):
            @functools.wraps(handler)
            async def run_async(ls, params):
                try:
                    return await handler(ls, params)
                except Exception:  # noqa: BLE001
                    log.exception("gamespec lsp: %s failed", handler.__name__)
                    return default
            return run_async

        @functools.wraps(handler)
        def run(ls, params):
            try:
                return handler(ls, params)
            except Exception:  # noqa: BLE001
                log.exception("gamespec lsp: %s failed", handler.__name__)
                return default
        return run
    return wrap


server = GamespecServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded()
async def did_open(ls: GamespecServer, params: types.DidOpenTextDocumentParams):
    await ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded()
async def did_change(ls: GamespecServer, params: types.DidChangeTextDocumentParams):
    await ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(ls: GamespecServer, params: types.DidCloseTextDocumentParams):
    uri = params.text_document.uri
    for cache in (ls.current, ls.parsed, ls.checked):
        cache.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.SHUTDOWN)
@guarded()
def on_shutdown(ls: GamespecServer, params):
    ls.shutdown_received = True
    ls.pool.shutdown(wait=False, cancel_futures=True)


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded()
def hover(ls: GamespecServer, params: types.HoverParams):
    uri = params.text_document.uri
    analysis, word = ls.word_at(uri, params.position)
    if word is None:
        return None
    entry = ls.parsed.get(uri)
    if entry is None:
        return None
    parsed, _, table = entry
    text = hover_text(parsed, table, word, ls.checked.get(uri))
    if text is None:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text),
                       ls.word_range(analysis, word))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded()
def goto_definition(ls: GamespecServer, params: types.DefinitionParams):
    uri = params.text_document.uri
    analysis, word = ls.word_at(uri, params.position)
    if word is None:
        return None
    home = definition(analysis, ls.table(uri, analysis), word)
    return ls.location(uri, analysis, home) if home is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@guarded(default=[])
def find_references(ls: GamespecServer, params: types.ReferenceParams):
    uri = params.text_document.uri
    analysis, word = ls.word_at(uri, params.position)
    if word is None:
        return []
    found = references(analysis, ls.table(uri, analysis), word,
                       params.context.include_declaration)
    return [ls.location(uri, analysis, w) for w in found]


@server.feature(types.TEXT_DOCUMENT_COMPLETION)
@guarded()
def complete(ls: GamespecServer, params: types.CompletionParams):
    uri = params.text_document.uri
    entry = ls.parsed.get(uri)
    current = ls.current.get(uri)
    if current is not None:
        at = ls.codec.position_from_client_units(current.lines, params.position)
        line = current.lines[at.line] if at.line < len(current.lines) else ""
        dotted = _DOTTED.search(line[:at.character])
        checked = ls.checked.get(uri)
        if dotted and checked is not None:
            columns = column_completions(checked.model, dotted.group(1))
            if columns is not None:
                return columns
    return completions(entry[2] if entry else {}, current.words if current else [])


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(default=[])
def document_symbols(ls: GamespecServer, params: types.DocumentSymbolParams):
    uri = params.text_document.uri
    entry = ls.parsed.get(uri)
    if entry is None:
        return []
    analysis, symbols, _ = entry
    return outline(analysis, symbols, functools.partial(ls.to_range, analysis))


def main() -> int:
    """Serve on stdin/stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    from gamespec.language.parser import grammar_parser

    grammar_parser()  # load the tables before the first request
    server.start_io()
    # a check still running (a large spec) must not hold the process after `exit`
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # pygls closed it on `exit`
        pass
    os._exit(0 if server.shutdown_received else 1)
