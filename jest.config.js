// One jest config for the monorepo. Three projects so CI can report them separately:
//   unit         *.test.ts            pure logic, no I/O
//   integration  *.int.test.ts        one service or lib against real Kafka/Postgres/Redis
//   e2e          tests/**/*.e2e.test.ts  cross-service flows driven through public interfaces
// Workspace packages are mapped to their TypeScript sources so tests never need a build.
const fs = require('node:fs');
const path = require('node:path');

const moduleNameMapper = {};
for (const group of ['libs', 'services', 'tools']) {
  const dir = path.join(__dirname, group);
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir)) {
    const pkgFile = path.join(dir, name, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const pkgName = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name;
    moduleNameMapper[`^${pkgName}$`] = `<rootDir>/${group}/${name}/src/index.ts`;
    moduleNameMapper[`^${pkgName}/(.*)$`] = `<rootDir>/${group}/${name}/src/$1`;
  }
}

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
  // ESM-only dependencies of CommonJS packages (cookie 2 under fastify's light-my-request, used by
  // app.inject): Node 20 loads them with require(esm), jest's runtime cannot, so compile them.
  '/node_modules/cookie/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
};
const esmOnlyDependencies = ['cookie'];

const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyDependencies.join('|')})/)`],
};

module.exports = {
  // Per-project testTimeout is not a jest 29 option; integration and e2e tests need the longer one.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,bench}/**/*.test.ts'],
      testPathIgnorePatterns: [
        ...common.testPathIgnorePatterns,
        '\\.int\\.test\\.ts$',
        '\\.e2e\\.test\\.ts$',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools}/**/*.int.test.ts'],
      globalSetup: '<rootDir>/libs/testkit/src/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/libs/testkit/src/global-setup.ts',
    },
  ],
};
