"""Static files storage for production: whitenoise's compressed, hashed files, with ES modules.

static/js/app.js imports GOV.UK Frontend with `import ... from "../vendor/..."`. Django rewrites
such imports to the hashed file names only when asked to; without it, the browser would fetch
the unhashed file, which whitenoise does not serve with long-lived caching headers.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
