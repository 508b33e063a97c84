import path from 'node:path';
import { checkDeployTargets, kustomizeTargets } from '../commands/deploy';
import { serviceRequiredEnv } from '../service-composition';
import { checkComposeFile } from './compose-check';
import { renderKustomization } from './kustomize';
import { stringAt } from './yaml-values';

// The repository's own deploy/ and docker-compose.yml, checked in CI because no cluster or Docker
// engine is available there (see docs/operations.md).
const root = path.resolve(__dirname, '../../../..');

describe('deploy manifests', () => {
  it('every service should need at least its secrets, so the checks below check something', () => {
    expect(serviceRequiredEnv.identity).toContain('IDENTIFIER_HASH_KEY');
    expect(serviceRequiredEnv.consent).toEqual(expect.arrayContaining(['AUDIT_SIGNING_KEY', 'PRIVACY_ADMIN_TOKEN']));
  });

  it('deploy/ base and overlays should render and pass every check', () => {
    const targets = kustomizeTargets(path.join(root, 'deploy'));
    expect(targets.map((t) => path.relative(root, t))).toEqual(['deploy/base', 'deploy/overlays/dev']);
    expect(checkDeployTargets(targets, serviceRequiredEnv)).toEqual([]);
  });

  it('the dev overlay should put everything in its namespace with dev images and one replica', () => {
    const manifests = renderKustomization(path.join(root, 'deploy/overlays/dev'));
    const namespaced = manifests.filter((m) => m.doc.kind !== 'Namespace');
    expect(namespaced.every((m) => stringAt(m.doc, 'metadata.namespace') === 'tessera-dev')).toBe(true);
    const deployments = manifests.filter((m) => m.doc.kind === 'Deployment');
    expect(deployments.map((m) => stringAt(m.doc, 'metadata.name')).sort()).toEqual([
      'consent',
      'identity',
      'ingest',
      'profile-store',
    ]);
    for (const d of deployments) {
      expect(d.doc.spec).toMatchObject({ replicas: 1 });
      expect(JSON.stringify(d.doc)).toMatch(/"image":"tessera\/[a-z-]+:dev"/);
    }
    const hpas = manifests.filter((m) => m.doc.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [stringAt(h.doc, 'metadata.name'), h.doc.spec])).toEqual(
      expect.arrayContaining([['ingest', expect.objectContaining({ minReplicas: 1, maxReplicas: 2 })]]),
    );
  });

  it('docker-compose.yml and the Dockerfile should pass the structural checks', () => {
    expect(
      checkComposeFile(path.join(root, 'docker-compose.yml'), path.join(root, 'Dockerfile'), serviceRequiredEnv),
    ).toEqual([]);
  });
});
