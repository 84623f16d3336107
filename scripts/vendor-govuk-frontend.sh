#!/usr/bin/env bash
# Vendor GOV.UK Frontend into static/vendor/govuk-frontend/, so that nothing loads from a CDN and
# the running app needs no Node. Re-run it to upgrade: it rebuilds the folder from scratch and the
# result is committed.
#
#   scripts/vendor-govuk-frontend.sh            # the version pinned below
#   scripts/vendor-govuk-frontend.sh 6.7.0      # another version (then update GOVUK_FRONTEND_VERSION)
#
# Needs node and npm (only here, never at run time). Works in a temporary directory: it leaves no
# node_modules or package.json behind.
#
# What it writes:
#   govuk-frontend.min.css   compiled once from the Sass with a system font stack (this is not a
#                            GOV.UK service: no GDS Transport font files, no crown, no GOV.UK logo)
#                            and images under /static/vendor/govuk-frontend/assets/.
#   govuk-frontend.min.js    the ES module (load with type="module"; static/js/app.js imports it).
#   VERSION                  which release this is, and its licence.
# No assets/ folder: with the crest removed, the compiled CSS refers to no image or font, and the
# GOV.UK favicons and icons are the crown, which only GOV.UK services may use.
set -euo pipefail

GOVUK_FRONTEND_VERSION="${1:-6.6.0}"
SASS_VERSION="1.108.2"
STATIC_PREFIX="/static/vendor/govuk-frontend/assets/"

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/static/vendor/govuk-frontend"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --ignore-scripts \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null
dist="node_modules/govuk-frontend/dist/govuk"

# Images resolve under our static URL; the footer's crest (the Royal Coat of Arms) resolves to
# nothing, so the CSS neither shows nor references it.
cat > _swp-urls.scss <<SCSS
@function image-url(\$filename) {
  @if \$filename == "govuk-crest.svg" {
    @return none;
  }
  @return url("${STATIC_PREFIX}images/#{\$filename}");
}
SCSS

cat > swp-govuk.scss <<SCSS
@use "sass:meta";
@use "swp-urls";
@use "govuk-frontend/dist/govuk" with (
  \$govuk-font-family: (system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif),
  \$govuk-include-default-font-face: false,
  \$govuk-assets-path: "${STATIC_PREFIX}",
  \$govuk-image-url-function: meta.get-function("image-url", \$module: "swp-urls")
);
SCSS

npx --no-install sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
  swp-govuk.scss govuk-frontend.min.css

# The compiled CSS must stand alone: no fonts, no crest, nothing from another origin.
if grep -Eq "GDS Transport|govuk-crest|/fonts/|url\\([\"']?(https?:)?//" govuk-frontend.min.css; then
  echo "compiled CSS still refers to GOV.UK fonts, the crest or another origin" >&2
  exit 1
fi

rm -rf "$dest"
mkdir -p "$dest"
cp govuk-frontend.min.css "$dest/"
# Drop the source-map comment: the map is not shipped, and the manifest storage would fail on it.
sed 's|//# sourceMappingURL=.*$||' "$dist/govuk-frontend.min.js" > "$dest/govuk-frontend.min.js"
licence="$(node -p "require('./node_modules/govuk-frontend/package.json').license")"
cat > "$dest/VERSION" <<TXT
govuk-frontend $GOVUK_FRONTEND_VERSION, licence $licence, (c) Crown copyright (Government Digital Service).
The CSS is compiled from its Sass with sass $SASS_VERSION by scripts/vendor-govuk-frontend.sh; do not edit by hand.
TXT

# Any image the compiled CSS still uses is copied; there are none today.
for image in $(grep -o "${STATIC_PREFIX}images/[^\")]*" govuk-frontend.min.css | sort -u); do
  mkdir -p "$dest/assets/images"
  cp "$dist/assets/images/${image##*/}" "$dest/assets/images/"
done

echo "Vendored govuk-frontend $GOVUK_FRONTEND_VERSION into ${dest#"$here"/}:"
(cd "$dest" && find . -type f | sort)
