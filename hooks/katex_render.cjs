// Render formulas with the site's own KaTeX, for hooks/formulas.py (build time) and the tests.
//
// One process serves a whole build. stdin: one JSON request per line,
//   [{"tex": str, "display": bool}, ...]
// stdout: one JSON line per request, in the same order,
//   [{"html": str} | {"error": str}, ...]
// A formula KaTeX rejects, or on which it fails internally (e.g. "Font metrics not found"
// for \textbf{\textsf{\textit{x}}}), gets {"error"}; the others still render. Only a
// protocol fault (bad JSON, KaTeX missing) is an uncaught exception: node exits non-zero.
"use strict";

const path = require("node:path");
const readline = require("node:readline");

// The KaTeX that hooks/katex_assets.py serves the CSS and fonts of: the repository's
// node_modules, found from this file's location (not the cwd, not a global install).
const katex = require(path.join(__dirname, "..", "node_modules", "katex"));

// throwOnError: a malformed formula is an error, never red text on the page.
// strict: "error". KaTeX's strict mode concerns input KaTeX *can* render but LaTeX would
// not accept. With this KaTeX version it rejects:
//   - non-ASCII text directly in math mode, also inside \mathrm / \operatorname:
//     `$损失$`, `$f（x）$` (full-width IME punctuation), `$a，b$`, `$é$`;
//   - characters KaTeX has no symbol for: U+2032 prime `f′`, µ, an emoji, and invisible
//     ones (no-break space, zero-width space) pasted into a formula;
//   - a `%` comment that swallows the end of the formula, \' and friends in math mode,
//     \hskip with mu units, \sout in math, an {array} with too few columns, \htmlClass.
// Most are typos that would render subtly wrong (a fallback font, a full-width
// parenthesis); the fixes are one word (\text{...}, ' instead of ′, \mu instead of µ).
// Unicode inside \text{} passes: `\text{交叉熵}`, `\text{café}`.
// output: "htmlAndMathml" (the default): the HTML draws, the MathML is read by screen
// readers.
// trust: commands that link or load (\href, \url, \includegraphics, \htmlId...) are
// errors too; with KaTeX's default they would render as red text without any error.
const OPTIONS = {
  throwOnError: true,
  strict: "error",
  output: "htmlAndMathml",
  trust: (context) => {
    throw new katex.ParseError(`${context.command} is not allowed on this site`);
  },
};

function render({ tex, display }) {
  try {
    return { html: katex.renderToString(tex, { ...OPTIONS, displayMode: Boolean(display) }) };
  } catch (error) {
    return { error: error instanceof katex.ParseError ? error.message : `${error.name}: ${error.message}` };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const items = JSON.parse(line);
  process.stdout.write(JSON.stringify(items.map(render)) + "\n");
});
