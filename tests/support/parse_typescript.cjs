// The TypeScript compiler's parser as a long-lived process, so that thousands of emitted files do
// not each pay Node's start-up (tests/support/parsecheck.py drives it).
//
//   node parse_typescript.cjs <node_modules holding typescript>
//
// stdin: JSON lines {"path": ..., "text": ...}, one per file; a line `{}` ends a batch. At the end
// of each batch, one JSON line per file of the batch, in order:
//   {"path": ..., "diagnostics": [{"line": 1-based, "col": 1-based, "code": TS code, "message": ...}]}
// Answers are written only when the batch is complete, so the writer may send a whole batch before
// it reads (neither side ever blocks on a full pipe).
"use strict";

const path = require("node:path");
const readline = require("node:readline");

const ts = require(path.join(process.argv[2], "typescript"));

const KINDS = {
  ".ts": ts.ScriptKind.TS,
  ".mts": ts.ScriptKind.TS,
  ".cts": ts.ScriptKind.TS,
  ".tsx": ts.ScriptKind.TSX,
  ".js": ts.ScriptKind.JS,
  ".mjs": ts.ScriptKind.JS,
  ".cjs": ts.ScriptKind.JS,
  ".jsx": ts.ScriptKind.JSX,
};

function parse(file, text) {
  const kind = KINDS[path.extname(file)] ?? ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  return source.parseDiagnostics.map((d) => {
    const at = source.getLineAndCharacterOfPosition(d.start ?? 0);
    return { line: at.line + 1, col: at.character + 1, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") };
  });
}

let batch = [];
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  const request = JSON.parse(line);
  if (request.path === undefined) {
    process.stdout.write(batch.join(""));
    batch = [];
    return;
  }
  let diagnostics;
  try {
    diagnostics = parse(request.path, request.text);
  } catch (error) {
    diagnostics = [{ line: 0, col: 0, code: 0, message: `the parser crashed: ${error && error.stack}` }];
  }
  batch.push(JSON.stringify({ path: request.path, diagnostics }) + "\n");
});
input.on("close", () => process.exit(0));
