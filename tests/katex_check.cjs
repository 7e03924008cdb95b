// Parse formulas with the site's own KaTeX; used by tests/test_formulas.py.
//
// stdin:  JSON list of {"page": str, "tex": str, "display": bool}
// stdout: JSON list of {"page", "tex", "error"}, one per formula KaTeX rejects ([] if none)
// Exit code 0 whenever the check ran, whatever it found; anything else (bad input, KaTeX
// missing) is an uncaught exception, which makes node exit non-zero with a stack trace.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

// The KaTeX that hooks/katex_assets.py serves: the repository's node_modules, found from
// this file's location (not the cwd, not a global install), so the check and the browser
// always run the same version.
const katex = require(path.join(__dirname, "..", "node_modules", "katex"));

// The browser (docs/assets/katex-init.js) renders with KaTeX's defaults: no macros, no
// `trust`. Keep these options in step with it if that ever changes.
//
// strict: "error". KaTeX's strict mode only concerns input KaTeX *can* render but LaTeX
// would not accept. Checked against this KaTeX version, it complains about:
//   - non-ASCII text directly in math mode, also inside \mathrm / \operatorname:
//     `$损失$`, `$f（x）$` (full-width IME punctuation), `$a，b$`, `$é$`;
//   - characters KaTeX has no symbol for: U+2032 prime `f′`, µ, an emoji, and invisible
//     ones (no-break space, zero-width space) pasted into a formula;
//   - a `%` comment that swallows the end of the formula, \' and friends in math mode,
//     \hskip with mu units, \sout in math, an {array} with too few columns,
//     \htmlClass & co.
// Each of these renders in the browser with only a console warning, but most are typos
// that render subtly wrong (a fallback font, a full-width parenthesis, a stray glyph),
// and KaTeX's message names the character and its position; the fixes are one-word
// (\text{...}, ' instead of ′, \mu instead of µ, ...).
// What it does NOT complain about is Unicode inside \text{}: `\text{交叉熵}`,
// `\text{（注）}` and `\text{café}` all pass, so Chinese pages are not noisy.
// "warn" would only print to stderr and never fail; "ignore" would let the typos above
// through. (Strict checks that merely pick LaTeX's behaviour, such as `\\` at the top of
// a display formula, never throw, so they cannot fail the check in any mode.)
const OPTIONS = { throwOnError: true, strict: "error" };

const items = JSON.parse(fs.readFileSync(0, "utf8"));
const failures = [];
for (const { page, tex, display } of items) {
  try {
    katex.renderToString(tex, { ...OPTIONS, displayMode: Boolean(display) });
  } catch (err) {
    // ParseError for malformed input; any other exception is a KaTeX crash on this
    // formula, which the browser would not render either, so it is reported the same way.
    failures.push({ page, tex, error: err instanceof Error ? err.message : String(err) });
  }
}
process.stdout.write(JSON.stringify(failures));
