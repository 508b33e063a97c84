// Runs a TypeScript bench script without a build: `node bench/ts-runner.js bench/<name>.ts [args]`.
// Compiles .ts files on require with @swc/core (already a dev dependency for jest) and maps the
// workspace packages (@tessera/*) to their sources, exactly like jest.config.js does.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const packages = new Map();
for (const group of ['libs', 'services', 'tools']) {
  const dir = path.join(root, group);
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir)) {
    const pkgFile = path.join(dir, name, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    packages.set(JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name, path.join(dir, name, 'src'));
  }
}

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const match = /^(@tessera\/[^/]+)(?:\/(.*))?$/.exec(request);
  if (match && packages.has(match[1])) {
    request = path.join(packages.get(match[1]), match[2] ?? 'index');
  }
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const script = process.argv[2];
if (!script) {
  console.error('usage: node bench/ts-runner.js <script.ts> [args]');
  process.exit(64);
}
process.argv.splice(1, 1);
require(path.resolve(script));
