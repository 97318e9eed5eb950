// Render LaTeX strings with KaTeX and report which fail.
//
// stdin:  a JSON array of LaTeX strings
// stdout: a JSON array, one entry per input: null when it rendered, else the error message
// Exit status 0 when every string rendered, 1 when some failed, 2 on bad input or no KaTeX.
//
// Options: throwOnError (a parse error is an error, not red text) and strict "error"
// (anything KaTeX would only warn about, such as Unicode text in math mode, is an error too).
"use strict";

let katex;
try {
  katex = require("katex");
} catch (err) {
  process.stderr.write("katex is not installed: run `npm ci` at the repository root\n");
  process.exit(2);
}

function renderAll(sources) {
  return sources.map((source) => {
    try {
      katex.renderToString(source, { throwOnError: true, strict: "error", displayMode: true });
      return null;
    } catch (err) {
      return String(err.message || err);
    }
  });
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  let sources;
  try {
    sources = JSON.parse(input);
  } catch (err) {
    process.stderr.write(`stdin is not JSON: ${err.message}\n`);
    process.exit(2);
  }
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === "string")) {
    process.stderr.write("stdin must be a JSON array of strings\n");
    process.exit(2);
  }
  const errors = renderAll(sources);
  process.stdout.write(JSON.stringify(errors) + "\n");
  process.exitCode = errors.every((e) => e === null) ? 0 : 1;
});
