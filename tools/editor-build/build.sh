#!/bin/sh
# Rebuild service/web/static/vendor/codemirror-sparql.js from npm (exact versions in package-lock.json).
# Needs node >= 18 and npm. Run from anywhere: it builds in a scratch copy, never in the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../../service/web/static/vendor"
scratch=$(mktemp -d)
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$scratch/"
cd "$scratch"
npm ci --no-audit --no-fund
npm run build
cp dist/codemirror-sparql.js "$vendor/codemirror-sparql.js"
for pkg in @codemirror/autocomplete @codemirror/commands @codemirror/language @codemirror/legacy-modes @codemirror/lint \
           @codemirror/state @codemirror/streamparser @codemirror/view @lezer/common @lezer/highlight style-mod \
           @marijn/find-cluster-break w3c-keyname crelt; do
  cp "node_modules/$pkg/LICENSE" "$vendor/licenses/$(echo "$pkg" | tr -d @ | tr / _).LICENSE"
done
npm ls --all --omit=dev
echo "built $vendor/codemirror-sparql.js in $scratch"
