#!/usr/bin/env bash
# The Worker's Env type from wrangler.toml (`wrangler types`), into worker/worker-configuration.d.ts.
#   npm run types          regenerate it (after changing bindings or [vars] in wrangler.toml)
#   npm run types:check    regenerate into a temporary file beside it and diff: fails when the
#                          checked-in file is out of date (CI runs this)
# `--env-file=/dev/null`: a developer's .dev.vars (secrets) must not leak into the checked-in
# types; secrets are typed by hand in worker/src/settings-types.ts. Runtime types come from
# @cloudflare/workers-types, and [vars] stay plain strings (they differ per environment).
set -euo pipefail
cd "$(dirname "$0")/.."
target=worker/worker-configuration.d.ts
flags=(--env-file=/dev/null --include-runtime=false --strict-vars=false)
if [ "${1:-}" != "--check" ]; then
  exec wrangler types "${flags[@]}" "$target"
fi
# Same folder as the real file, so the generated relative imports are the same.
fresh=worker/.worker-configuration.check.d.ts
trap 'rm -f "$fresh"' EXIT
wrangler types "${flags[@]}" "$fresh" >/dev/null
# Line 2 names the output file and a hash of the command; the rest must match exactly.
if ! diff -u <(tail -n +3 "$target") <(tail -n +3 "$fresh"); then
  echo "$target is out of date with wrangler.toml: run \`npm run types\` and commit it." >&2
  exit 1
fi
echo "$target matches wrangler.toml."
