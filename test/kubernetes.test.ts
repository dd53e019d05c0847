import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildTestApp, type TestApp } from '../src/core/testing/build-test-app.js';
import { kubectl, needs } from '../src/core/testing/tools.js';
import { contractProblems, imageFacts } from './kubernetes/contract.js';
import {
  buildOverlay,
  type Manifest,
  root,
  schemaProblems,
  strictCrdSchema,
  unknownFieldProblems,
} from './kubernetes/manifests.js';

/**
 * deploy/kubernetes without a cluster (none can run here): `kubectl kustomize` builds the
 * production overlay offline, every document is validated against its kind's schema (the
 * kubernetes-models package for Kubernetes kinds, CloudNativePG's CRD for its Cluster), and the
 * output is checked against the app: probes, secret files, drain deadline, database services,
 * backups. The last suite breaks the manifests on purpose, to show each check can fail.
 * Nothing here applies anything to a cluster.
 */

const overlayDir = join(root, 'deploy/kubernetes/overlays/production');

/** The secret files an operator creates in the overlay's secrets/ (see its README). */
function operatorSecrets(): Record<string, string> {
  const kustomization = parse(readFileSync(join(overlayDir, 'kustomization.yaml'), 'utf8'));
  const values: Record<string, string> = {
    secret_key: `${randomBytes(48).toString('base64')}\n`,
    metrics_token: `${randomBytes(32).toString('hex')}\n`,
    backup_age_recipients: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n',
  };
  const files: Record<string, string> = {};
  for (const generator of kustomization.secretGenerator ?? [])
    for (const entry of generator.files as string[]) {
      const [key, path] = entry.includes('=') ? entry.split('=') : [entry.replace(/.*\//, ''), entry];
      const value = values[key!];
      if (value === undefined) throw new Error(`no test value for the secret key ${key}`);
      files[path!.replace(/^secrets\//, '')] = value;
    }
  return files;
}

/** The base's documents, read as YAML (no kustomize needed). */
function baseDocuments(): Manifest[] {
  const dir = join(root, 'deploy/kubernetes/base');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Manifest));
}

describe('deploy/kubernetes: the schemas, offline', () => {
  it('validates every document of the base against its kind', () => {
    const dir = join(root, 'deploy/kubernetes/base');
    const listed = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).resources as string[];
    expect(listed.sort()).toEqual(
      readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'),
    );
    const docs = baseDocuments();
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'Cluster',
      'CronJob',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PersistentVolumeClaim',
      'PersistentVolumeClaim',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(docs.flatMap(schemaProblems)).toEqual([]);
  });

  it('rejects a Kubernetes object of the wrong shape', () => {
    const deployment = structuredClone(baseDocuments().find((d) => d.kind === 'Deployment'));
    deployment.spec.replicas = 'three';
    expect(schemaProblems(deployment).join('\n')).toMatch(/replicas must be integer/);
    const hpa = structuredClone(baseDocuments().find((d) => d.kind === 'HorizontalPodAutoscaler'));
    hpa.apiVersion = 'autoscaling/v2beta1';
    expect(schemaProblems(hpa).join('\n')).toMatch(/no schema for autoscaling\/v2beta1/);
  });

  it('finds no unknown field in the Kubernetes kinds of the base, and finds a misspelt one', () => {
    const docs = baseDocuments();
    const broken = structuredClone(docs.find((d) => d.kind === 'Deployment'));
    const web = broken.spec.template.spec.containers[0];
    web.readinesProbe = web.readinessProbe;
    delete web.readinessProbe;
    broken.spec.template.spec.securityContext.runAsNonroot = true;
    const problems = unknownFieldProblems([...docs, broken]);
    expect(problems.slice(0, -1).flat()).toEqual([]);
    const found = problems.at(-1)!.join('\n');
    expect(found).toMatch(/^Deployment slipway: Object literal may only specify known properties/);
    expect(found).toMatch(/'"readinesProbe"' does not exist in type 'IContainer'/);
    expect(found).toMatch(/'"runAsNonroot"' does not exist in type 'IPodSecurityContext'/);
  });

  it('rejects a CloudNativePG Cluster of the wrong shape, and a field its CRD does not know', () => {
    const cluster = structuredClone(baseDocuments().find((d) => d.kind === 'Cluster'));
    cluster.spec.instances = '3';
    expect(schemaProblems(cluster).join('\n')).toMatch(/\/spec\/instances must be integer/);
    cluster.spec.instances = 3;
    cluster.spec.storage.sizes = '10Gi';
    expect(schemaProblems(cluster).join('\n')).toMatch(
      /\/spec\/storage must NOT have additional properties \(sizes\)/,
    );
  });

  it('makes a CRD schema strict only where the API server prunes', () => {
    const strict = strictCrdSchema({
      type: 'object',
      properties: {
        a: { type: 'object', properties: { b: { type: 'string' } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} },
        map: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
    expect(strict['additionalProperties']).toBe(false);
    const properties = strict['properties'] as Record<string, Record<string, unknown>>;
    expect(properties['a']!['additionalProperties']).toBe(false);
    expect(properties['free']!['additionalProperties']).toBeUndefined();
    expect(properties['map']!['additionalProperties']).toEqual({ type: 'string' });
  });
});

describe('deploy/kubernetes/overlays/production, built with kubectl kustomize', needs(kubectl), () => {
  let docs: Manifest[];
  let warnings: string;
  const image = imageFacts();
  const find = (kind: string) => docs.find((d) => d.kind === kind)!;

  beforeAll(() => {
    ({ documents: docs, stderr: warnings } = buildOverlay(kubectl.path(), 'production', operatorSecrets()));
  });

  it('builds, with the expected objects in the slipway namespace', () => {
    expect(warnings).not.toMatch(/error/i);
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`).sort()).toEqual([
      'Cluster slipway-db',
      'CronJob slipway-backup',
      'Deployment slipway',
      'HorizontalPodAutoscaler slipway',
      'Ingress slipway',
      'Namespace slipway',
      'PersistentVolumeClaim slipway-backups',
      'PersistentVolumeClaim slipway-media',
      'PodDisruptionBudget slipway',
      expect.stringMatching(/^Secret slipway-secrets-[a-z0-9]+$/),
      'Service slipway',
    ]);
    for (const doc of docs.filter((d) => d.kind !== 'Namespace'))
      expect(doc.metadata.namespace).toBe('slipway');
  });

  it("validates every document against its kind's schema, with no field the kind does not know", () => {
    expect(docs.flatMap(schemaProblems)).toEqual([]);
    expect(unknownFieldProblems(docs).flat()).toEqual([]);
  });

  it("keeps the app's contract: probes, secret files, drain deadline, database services, backups", () => {
    expect(contractProblems(docs, image)).toEqual([]);
  });

  it('applies the overlay: image tag, host names, sizes, and the secrets by their hashed name', () => {
    const deployment = find('Deployment');
    const web = deployment.spec.template.spec.containers[0];
    expect(web.image).toBe('registry.example.com/slipway:1.0.0');
    expect(web.env.find((e: { name: string }) => e.name === 'WEB_CONCURRENCY').value).toBe('2');
    expect(web.resources.limits.cpu).toBe('2');
    expect(find('HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 8 });
    expect(find('Ingress').spec.tls[0]).toEqual({
      hosts: ['www.example.com', 'example.com'],
      secretName: 'slipway-tls',
    });
    expect(find('Cluster').spec.storage.size).toBe('50Gi');
    const secret = find('Secret').metadata.name;
    const secretNames = [deployment, find('CronJob')].flatMap((w) =>
      JSON.stringify(w).match(/"secretName":"slipway-secrets[^"]*"/g),
    );
    expect(secretNames).toEqual([`"secretName":"${secret}"`, `"secretName":"${secret}"`]);
  });

  it("gives the probes paths that the app answers 200 on, for a kubelet's Host header", async () => {
    const web = find('Deployment').spec.template.spec.containers[0];
    const paths = ['startupProbe', 'readinessProbe', 'livenessProbe'].map(
      (p) => web[p].httpGet.path as string,
    );
    let t: TestApp | undefined;
    try {
      t = await buildTestApp();
      for (const url of new Set(paths)) {
        const response = await t.app.inject({ url, headers: { host: '10.42.3.17:8000' } });
        expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      }
      t.lifecycle.draining = true;
      const draining = await t.app.inject({
        url: web.readinessProbe.httpGet.path,
        headers: { host: '10.42.3.17' },
      });
      expect(draining.statusCode).toBe(503);
    } finally {
      await t?.close();
    }
  });

  it('documents each secret file the overlay reads, and keeps them out of git', () => {
    const readme = readFileSync(join(overlayDir, 'secrets/README.md'), 'utf8');
    const ignore = readFileSync(join(overlayDir, 'secrets/.gitignore'), 'utf8');
    expect(ignore.split('\n')).toContain('*');
    for (const file of Object.keys(operatorSecrets())) expect(readme).toContain(`secrets/${file}`);
  });
});

describe('deploy/kubernetes: the contract checks fail on broken manifests', needs(kubectl), () => {
  let built: Manifest[];
  const image = imageFacts();
  beforeAll(() => {
    built = buildOverlay(kubectl.path(), 'production', operatorSecrets()).documents;
  });

  /** The problems of the built manifests after `change`, on a copy. */
  const broken = (change: (find: (kind: string) => Manifest) => void): string => {
    const docs = structuredClone(built);
    change((kind) => docs.find((d) => d.kind === kind)!);
    return contractProblems(docs, image).join('\n');
  };
  const web = (find: (kind: string) => Manifest) => find('Deployment').spec.template.spec.containers[0];
  const env = (find: (kind: string) => Manifest, name: string) =>
    web(find).env.find((e: { name: string }) => e.name === name);

  it('a grace period shorter than preStop + SHUTDOWN_TIMEOUT', () => {
    expect(
      broken((find) => (find('Deployment').spec.template.spec.terminationGracePeriodSeconds = 30)),
    ).toMatch(/terminationGracePeriodSeconds 30 is not above preStop 10 s \+ SHUTDOWN_TIMEOUT 25 s \+ 2 s/);
    expect(broken((find) => (env(find, 'SHUTDOWN_TIMEOUT').value = '40'))).toMatch(
      /terminationGracePeriodSeconds/,
    );
    expect(broken((find) => delete web(find).lifecycle)).toMatch(/no preStop pause/);
  });

  it('a probe on a path or port the app does not serve', () => {
    expect(broken((find) => (web(find).readinessProbe.httpGet.path = '/healthz'))).toMatch(
      /readinessProbe GETs \/healthz, not \/readyz/,
    );
    expect(broken((find) => (env(find, 'PORT').value = '9000'))).toMatch(/livenessProbe calls port http/);
  });

  it('a *_FILE variable whose file is not mounted, or names a missing key', () => {
    expect(broken((find) => (env(find, 'SECRET_KEY_FILE').value = '/etc/slipway/secret_key'))).toMatch(
      /SECRET_KEY_FILE: nothing is mounted at \/etc\/slipway\/secret_key/,
    );
    expect(
      broken((find) => (find('Deployment').spec.template.spec.volumes[1].secret.items[0].key = 'url')),
    ).toMatch(/the Secret slipway-db-app has no key url/);
    expect(broken((find) => (env(find, 'METRICS_TOKEN_FILE').name = 'METRIC_TOKEN_FILE'))).toMatch(
      /METRIC_TOKEN_FILE is not a variable Slipway reads/,
    );
  });

  it('a database that is not the -rw primary with the -ro standbys', () => {
    expect(broken((find) => (env(find, 'SQL_REPLICA_HOSTS').value = 'slipway-db-r'))).toMatch(
      /the replicas are \[slipway-db-r\], not the Service slipway-db-ro/,
    );
    expect(broken((find) => (find('Cluster').spec.instances = 1))).toMatch(/1 instances, not 3/);
    expect(
      broken((find) => (find('Cluster').spec.imageName = 'ghcr.io/cloudnative-pg/postgresql:17')),
    ).toMatch(/PostgreSQL 17, but the image's pg_dump is 15/);
    expect(broken((find) => (find('HorizontalPodAutoscaler').spec.maxReplicas = 30))).toMatch(
      /do not fit max_connections 200/,
    );
  });

  it('a backup CronJob that does not run `backup create`, or writes to no claim', () => {
    const create = (find: (kind: string) => Manifest) =>
      find('CronJob').spec.jobTemplate.spec.template.spec.initContainers[0];
    expect(broken((find) => (create(find).args = ['backup', 'list']))).toMatch(
      /no container runs `slipway backup create`/,
    );
    expect(broken((find) => (create(find).volumeMounts.at(-1).mountPath = '/srv/backups'))).toMatch(
      /BACKUP_DIR \/app\/data\/backups is not a writable claim/,
    );
  });

  it('an unsafe pod: root, writable image, no HPA-friendly replicas, a host the app refuses', () => {
    expect(broken((find) => (find('Deployment').spec.template.spec.securityContext.runAsUser = 0))).toMatch(
      /runAsUser 0, but the image's USER node is uid 1000/,
    );
    expect(broken((find) => (web(find).securityContext.readOnlyRootFilesystem = false))).toMatch(
      /root filesystem is not read-only/,
    );
    expect(broken((find) => (web(find).securityContext.capabilities.drop = []))).toMatch(
      /capabilities are not all dropped/,
    );
    expect(broken((find) => (find('Deployment').spec.replicas = 3))).toMatch(/replicas is set/);
    expect(broken((find) => (find('Ingress').spec.rules[0].host = 'shop.example.org'))).toMatch(
      /shop.example.org is not in ALLOWED_HOSTS/,
    );
    expect(broken((find) => (env(find, 'WEB_CONCURRENCY').value = 'auto'))).toMatch(
      /WEB_CONCURRENCY is auto/,
    );
  });
});
