import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { checkComposeFile } from '../deploy/compose-check';
import { renderKustomization } from '../deploy/kustomize';
import { checkManifests } from '../deploy/manifest-check';
import type { RequiredEnv } from '../deploy/required-env';

/** deploy/base and every deploy/overlays/<name>: what CI renders and checks. */
export function kustomizeTargets(deployDir: string): string[] {
  const targets = [path.join(deployDir, 'base')];
  const overlays = path.join(deployDir, 'overlays');
  if (existsSync(overlays)) {
    for (const name of readdirSync(overlays).sort()) targets.push(path.join(overlays, name));
  }
  return targets.filter((t) => existsSync(t));
}

/** Renders and checks each target; returns the problems, prefixed with the target. */
export function checkDeployTargets(targets: string[], requiredEnv: RequiredEnv = {}): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    try {
      for (const problem of checkManifests(renderKustomization(target), { requiredEnv })) {
        problems.push(`${target}: ${problem}`);
      }
    } catch (err) {
      problems.push(`${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}

export function registerDeployCommands(
  program: Command,
  ctx: CliContext,
  requiredEnv: RequiredEnv = {},
): void {
  const deploy = program
    .command('deploy')
    .description(
      'render and check the Kubernetes manifests (deploy/) and docker-compose.yml without a cluster',
    );

  deploy
    .command('render <dir>')
    .description('print the manifests a kustomization renders to (like `kubectl kustomize <dir>`)')
    .action((dir: string) => {
      const manifests = renderKustomization(path.resolve(dir));
      ctx.io.out(manifests.map((m) => stringify(m.doc)).join('---\n'));
    });

  deploy
    .command('check [dirs...]')
    .description(
      'render each kustomization (default: deploy/base and deploy/overlays/*) and docker-compose.yml, and check them',
    )
    .option('--root <dir>', 'repository root holding deploy/ and docker-compose.yml', '.')
    .action((dirs: string[], opts: { root: string }) => {
      const root = path.resolve(opts.root);
      const targets =
        dirs.length > 0 ? dirs.map((d) => path.resolve(d)) : kustomizeTargets(path.join(root, 'deploy'));
      if (targets.length === 0)
        throw new CliError(`no kustomizations found under ${path.join(root, 'deploy')}`);
      const problems = checkDeployTargets(targets, requiredEnv);
      const compose = path.join(root, 'docker-compose.yml');
      if (dirs.length === 0 && existsSync(compose)) {
        problems.push(
          ...checkComposeFile(compose, path.join(root, 'Dockerfile')).map((p) => `${compose}: ${p}`),
        );
      }
      if (problems.length > 0) {
        for (const p of problems) ctx.io.err(`  - ${p}`);
        throw new CliError(`${problems.length} problem(s) in the deployment manifests`);
      }
      ctx.io.out(`ok: ${targets.map((t) => path.relative(process.cwd(), t) || '.').join(', ')}`);
    });
}
