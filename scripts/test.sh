#!/usr/bin/env bash
# The whole test suite: lint, typecheck, then unit + integration + e2e tests (jest projects) against
# real Kafka/Postgres/Redis (jest's global setup finds or starts them; see libs/testkit).
# Ends with one plain line "N passed, N failed" computed from jest's --json results.
# Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
step() { printf '\n=== %s ===\n' "$*"; }

# A fresh clone works with this one command: dependencies and infrastructure come up first.
if [ ! -d node_modules ]; then
  step "npm ci"
  npm ci --no-audit --no-fund || exit 1
fi
bash scripts/infra.sh up || exit 1

if [ "${SKIP_STATIC_CHECKS:-0}" != "1" ]; then
  step "lint (eslint + prettier)"
  npx eslint . || status=1
  npx prettier --check . >/dev/null || { npx prettier --check . | tail -20; status=1; }
  step "typecheck"
  npx tsc -p tsconfig.json --noEmit || status=1
  step "build"
  npx tsc -b tsconfig.build.json || status=1
fi

step "jest"
results_file="${JEST_RESULTS_FILE:-jest-results.json}"
rm -f "$results_file"
npx jest --ci --maxWorkers="${JEST_MAX_WORKERS:-2}" --json --outputFile="$results_file" "$@"
jest_status=$?
[ $jest_status -eq 0 ] || status=1

if [ -f "$results_file" ]; then
  node -e '
    const r = require(require("path").resolve(process.argv[1]));
    const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed`);
  ' "$results_file"
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
