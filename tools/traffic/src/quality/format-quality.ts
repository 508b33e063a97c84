import type { PairwiseScores, QualityReport } from './compute-quality';

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const scoreRow = (name: string, s: PairwiseScores): string[] => [
  name,
  String(s.items),
  String(s.unresolved),
  pct(s.precision),
  pct(s.recall),
  pct(s.f1),
  `${s.correctPairs}/${s.predictedPairs}/${s.truePairs}`,
];

/** The quality report as a human-readable table. */
export function formatQuality(report: QualityReport): string {
  const scores = table([
    ['pairwise', 'items', 'unresolved', 'precision', 'recall', 'F1', 'correct/predicted/true pairs'],
    scoreRow('identifiers', report.identifiers),
    scoreRow('events', report.events),
  ]);
  const largest = report.largestOverMerge
    ? `${report.largestOverMerge.persons} persons, ${report.largestOverMerge.identifiers} identifiers (profile ${report.largestOverMerge.profileId})`
    : 'none';
  const facts = table([
    ['profiles', 'value'],
    ['persons in the truth', String(report.persons)],
    ['profiles they landed in', String(report.profiles)],
    ['over-merged profiles (>1 person)', String(report.overMergedProfiles)],
    ['largest over-merge', largest],
    ['split persons (>1 profile)', String(report.splitPersons)],
    ['most profiles for one person', String(report.maxProfilesPerPerson)],
    ['shared identifiers (not scored)', String(report.sharedIdentifiers)],
    ['junk identifiers (not scored)', String(report.junkIdentifiers)],
    ['junk identifiers attached to a profile', String(report.junkResolved)],
  ]);
  return `${scores}\n\n${facts}\n`;
}
