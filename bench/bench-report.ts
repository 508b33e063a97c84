import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The code a bench measured: the commit checked out when it started (this module loads with the
 * bench), since the tree may move on during a long run.
 */
const CODE_AT_START = (() => {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    // The results files themselves change with every bench run.
    const dirty =
      git('status', '--porcelain', '--untracked-files=no', '--', ':/', ':!/docs/benchmarks*').length > 0;
    return `Code: commit \`${git('rev-parse', '--short', 'HEAD')}\` when the bench started${dirty ? ', with uncommitted changes' : ''}.`;
  } catch {
    return 'Code: not a git checkout.';
  }
})();

/**
 * Replaces (or appends) one bench's section of docs/benchmarks.md between its
 * `<!-- bench:<name>:start -->` / `<!-- bench:<name>:end -->` markers, leaving the others untouched.
 */
export function writeBenchSection(name: string, section: string): void {
  const file = path.resolve(__dirname, '../docs/benchmarks.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${section}\n\n${CODE_AT_START}\n${end}`;
  let doc = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nResults of the benches in `bench/`, each section written by its bench.\n';
  if (doc.includes(start) && doc.includes(end))
    doc = doc.slice(0, doc.indexOf(start)) + block + doc.slice(doc.indexOf(end) + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, doc);
}
