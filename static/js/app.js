// Starts GOV.UK Frontend's components (error summary focus, notification banners, the service
// navigation's menu button, radios and checkboxes). Loaded as an ES module from base.html.
// The relative import is rewritten to the hashed file name by collectstatic (strategy/storage.py).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// A success banner takes focus when it starts, after the error summary has: when a page has both,
// the problems to fix matter more, so give focus back to the summary.
const errorSummary = document.querySelector(".govuk-error-summary");
if (errorSummary && document.querySelector(".govuk-notification-banner[role=alert]")) {
  errorSummary.focus();
}
