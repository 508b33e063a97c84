import type { Manifest } from './kustomize';
import { checkManifests } from './manifest-check';
import type { JsonObject } from './yaml-values';

const labels = { 'app.kubernetes.io/name': 'ingest' };

function deployment(overrides: { container?: JsonObject; pod?: JsonObject; name?: string } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: overrides.name ?? 'ingest' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 40,
          securityContext: { runAsNonRoot: true },
          ...overrides.pod,
          containers: [
            {
              name: 'ingest',
              image: 'tessera/ingest:1',
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              envFrom: [{ configMapRef: { name: 'cfg' } }],
              ...overrides.container,
            },
          ],
        },
      },
    },
  };
}

const configMap: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: {} };
const service: JsonObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'ingest' },
  spec: { selector: labels, ports: [{ port: 8080, targetPort: 'http' }] },
};
const pdb: JsonObject = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'ingest' },
  spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
};
const hpa = (target: string): JsonObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'ingest' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
    minReplicas: 2,
    maxReplicas: 4,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  },
});

const asManifests = (docs: JsonObject[]): Manifest[] => docs.map((doc) => ({ source: 'test.yaml', doc }));

describe('checkManifests', () => {
  it('checkManifests should accept a consistent Deployment, Service, HPA, PDB and ConfigMap', () => {
    expect(checkManifests(asManifests([configMap, deployment(), service, hpa('ingest'), pdb]))).toEqual([]);
  });

  it('checkManifests should require probes on /healthz and /readyz and resources', () => {
    const problems = checkManifests(
      asManifests([
        configMap,
        deployment({ container: { livenessProbe: null, readinessProbe: { httpGet: { path: '/', port: 'http' } }, resources: {} } }),
        service,
        pdb,
      ]),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/livenessProbe.httpGet is required/),
        expect.stringMatching(/readinessProbe must GET \/readyz/),
        expect.stringMatching(/resources.requests.cpu and .memory are required/),
        expect.stringMatching(/resources.limits.memory is required/),
      ]),
    );
  });

  it('checkManifests should reject pods that may run as root', () => {
    const problems = checkManifests(asManifests([configMap, deployment({ pod: { securityContext: {} } }), service, pdb]));
    expect(problems).toEqual([expect.stringMatching(/runAsNonRoot must be true/)]);
  });

  it('checkManifests should reject a Service whose selector matches no Deployment', () => {
    const other = { ...service, spec: { selector: { 'app.kubernetes.io/name': 'ingest-typo' }, ports: [{ port: 80 }] } };
    const problems = checkManifests(asManifests([configMap, deployment(), other, pdb]));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Service\/ingest: selector .* matches no Deployment/),
        expect.stringMatching(/Deployment\/ingest: no Service selects its pods/),
      ]),
    );
  });

  it('checkManifests should reject an HPA that targets a missing Deployment', () => {
    const problems = checkManifests(asManifests([configMap, deployment(), service, pdb, hpa('ingset')]));
    expect(problems).toEqual([expect.stringMatching(/scaleTargetRef must name an existing Deployment/)]);
  });

  it('checkManifests should reject references to a ConfigMap that does not exist', () => {
    const problems = checkManifests(asManifests([deployment(), service, pdb]));
    expect(problems).toEqual([expect.stringMatching(/envFrom configMapRef cfg does not exist/)]);
  });

  it('checkManifests should require the service variables to come from env or envFrom sources', () => {
    const withData = { ...configMap, data: { KAFKA_BROKERS: 'k:9092' } };
    const docs = [withData, deployment({ container: { env: [{ name: 'PORT', value: '8080' }] } }), service, pdb];
    expect(checkManifests(asManifests(docs), { requiredEnv: { ingest: ['KAFKA_BROKERS', 'PORT'] } })).toEqual([]);
    expect(checkManifests(asManifests(docs), { requiredEnv: { ingest: ['IDENTIFIER_HASH_KEY'] } })).toEqual([
      'Deployment/ingest container ingest: required variable IDENTIFIER_HASH_KEY is not provided',
    ]);
  });

  it('checkManifests should reject objects without identity and duplicates', () => {
    const problems = checkManifests(
      asManifests([{ kind: 'ConfigMap', metadata: {} }, configMap, configMap, deployment(), service, pdb]),
    );
    expect(problems).toEqual([
      'test.yaml: every object needs apiVersion, kind and metadata.name',
      'ConfigMap/cfg: defined twice',
    ]);
  });
});
