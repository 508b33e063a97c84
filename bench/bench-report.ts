import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces (or appends) one bench's section of docs/benchmarks.md between its
 * `<!-- bench:<name>:start -->` / `<!-- bench:<name>:end -->` markers, leaving the others untouched.
 */
export function writeBenchSection(name: string, section: string): void {
  const file = path.resolve(__dirname, '../docs/benchmarks.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  let doc = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nResults of the benches in `bench/`, each section written by its bench.\n';
  if (doc.includes(start) && doc.includes(end))
    doc = doc.slice(0, doc.indexOf(start)) + block + doc.slice(doc.indexOf(end) + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, doc);
}
