#!/usr/bin/env bash
# scripts/new-package.sh <libs|services|tools> <name> [dep ...]
# Lays out a workspace package the way every package here is laid out.
set -euo pipefail
group="$1"; name="$2"; shift 2
dir="$group/$name"
mkdir -p "$dir/src"
refs=""
deps=""
for dep in "$@"; do
  refs="$refs{ \"path\": \"../../libs/$dep\" },"
  deps="$deps\"@tessera/$dep\": \"0.1.0\","
done
cat >"$dir/package.json" <<JSON
{
  "name": "@tessera/$name",
  "version": "0.1.0",
  "private": true,
  "main": "dist/index.js",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "dependencies": { ${deps%,} }
}
JSON
cat >"$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.test.ts"],
  "references": [${refs%,}]
}
JSON
echo "created $dir"
