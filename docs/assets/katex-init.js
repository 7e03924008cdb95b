// Render the \( \) and \[ \] spans written by pymdownx.arithmatex (generic mode)
// with the KaTeX files served from this site. Material's `document$` also fires on
// instant navigation, so formulas render on every page view.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
});
