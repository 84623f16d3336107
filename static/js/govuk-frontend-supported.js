// Runs first in <body>, before anything paints: tells GOV.UK Frontend's CSS that JavaScript runs
// here and, when the browser supports ES modules, that its components will be initialised
// (static/js/app.js). An external file because the Content Security Policy forbids inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
