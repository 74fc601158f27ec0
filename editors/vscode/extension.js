// The gamespec extension: starts `gamespec lsp` (stdio) for .game files.
// The command comes from the setting gamespec.server.command (default: gamespec lsp).
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("gamespec").get("server.command",
                                                                     ["gamespec", "lsp"]);
  const server = { command: command[0], args: command.slice(1) };
  client = new LanguageClient(
    "gamespec", "gamespec language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "gamespec" },
                         { scheme: "untitled", language: "gamespec" }] });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
