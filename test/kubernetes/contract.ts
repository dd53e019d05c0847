import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { deployProblems, embeddedRefusal } from '../../src/core/config/deploy-checks.js';
import { SECRET_VARIABLES } from '../../src/core/config/env-source.js';
import { type Config, loadConfig } from '../../src/core/config/index.js';
import { hostAllowed } from '../../src/core/http/allowed-hosts.js';
import { type Manifest, root } from './manifests.js';

/**
 * What deploy/kubernetes promises the app, checked on kustomize's output against the app's own
 * code (its configuration loader, its Dockerfile, its shutdown deadline). {@link contractProblems}
 * returns one line per broken promise, so that a test can show each check fails on a broken
 * manifest.
 */

/** What the image says about itself (Dockerfile's final stage) and the app's stop margin. */
export interface ImageFacts {
  /** The final stage's ENV: under the container's own `env`. */
  env: Record<string, string>;
  /** Its USER, and that user's uid in the node images. */
  user: string;
  uid: number;
  /** The PostgreSQL major whose pg_dump the image carries (ARG PG_MAJOR's default). */
  pgMajor: number;
  /** How long past SHUTDOWN_TIMEOUT the cluster primary waits before killing workers (s). */
  stopMarginSeconds: number;
}

export function imageFacts(): ImageFacts {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const final = dockerfile.slice(dockerfile.search(/^FROM \S+ AS final$/m));
  const envBlock = /^ENV ((?:.*\\\n)*.*)$/m.exec(final)?.[1] ?? '';
  const env = Object.fromEntries(
    [...envBlock.replace(/\\\n/g, ' ').matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
  );
  const user = /^USER (\S+)$/m.exec(final)?.[1] ?? 'root';
  const pgMajor = Number(/^ARG PG_MAJOR=(\d+)$/m.exec(dockerfile)?.[1]);
  const runPrimary = readFileSync(join(root, 'src/core/cluster/run-primary.ts'), 'utf8');
  const margin = Number(/const STOP_MARGIN_MS = ([\d_]+);/.exec(runPrimary)?.[1]?.replace(/_/g, ''));
  // The node:<version> images create `node` as uid 1000 (their Dockerfile: useradd --uid 1000).
  const uid = user === 'node' ? 1000 : user === 'root' ? 0 : Number(user);
  return { env, user, uid, pgMajor, stopMarginSeconds: margin / 1000 };
}

/** The keys of CloudNativePG's `<cluster>-app` secret (pkg/specs/secrets.go, CreateSecret). */
export const CNPG_APP_SECRET_KEYS = [
  'username',
  'user',
  'password',
  'dbname',
  'host',
  'port',
  'pgpass',
  'uri',
  'jdbc-uri',
  'fqdn-uri',
  'fqdn-jdbc-uri',
];

/** Stand-in values for CloudNativePG's `<cluster>-app` secret, built as the operator builds them. */
export function cnpgAppSecret(cluster: Manifest, namespace: string): Record<string, string> {
  const owner: string = cluster.spec?.bootstrap?.initdb?.owner ?? 'app';
  const dbname: string = cluster.spec?.bootstrap?.initdb?.database ?? 'app';
  const host = `${cluster.metadata.name}-rw`;
  const password = 'operator-made-password';
  const uri = `postgresql://${owner}:${password}@${host}.${namespace}:5432/${dbname}`;
  return {
    username: owner,
    user: owner,
    password,
    dbname,
    host,
    port: '5432',
    pgpass: `${host}:5432:${dbname}:${owner}:${password}\n`,
    uri,
    'jdbc-uri': `jdbc:postgresql://${host}.${namespace}:5432/${dbname}?password=${password}&user=${owner}`,
    'fqdn-uri': `postgresql://${owner}:${password}@${host}.${namespace}.svc.cluster.local:5432/${dbname}`,
    'fqdn-jdbc-uri': `jdbc:postgresql://${host}.${namespace}.svc.cluster.local:5432/${dbname}?password=${password}&user=${owner}`,
  };
}

type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  // biome-ignore lint/suspicious/noExplicitAny: probes and lifecycle are read field by field.
  [key: string]: any;
};
// biome-ignore lint/suspicious/noExplicitAny: a pod spec from YAML.
type PodSpec = any;

/** The pod template of a Deployment, Job or CronJob. */
function podSpec(doc: Manifest): PodSpec | undefined {
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template?.spec;
  if (doc.kind === 'Deployment' || doc.kind === 'Job') return doc.spec?.template?.spec;
  return undefined;
}

function containersOf(spec: PodSpec): Container[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** Kubernetes quantities of CPU: "2", "500m". */
function cpu(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const s = String(quantity);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Boolean(selector) && Object.entries(selector!).every(([k, v]) => labels[k] === v);
}

/**
 * A container's configuration as Slipway would load it in the pod: the image's ENV, then the
 * container's env, with every secret file that the pod mounts written to a temporary folder and
 * the `*_FILE` variables pointed there. Problems about the mounts themselves go to `problems`.
 */
export function podConfig(
  docs: Manifest[],
  workload: Manifest,
  container: Container,
  image: ImageFacts,
  problems: string[],
): Config | undefined {
  const id = `${workload.kind} ${workload.metadata.name}, container ${container.name}`;
  const spec = podSpec(workload);
  const namespace = workload.metadata.namespace ?? 'default';
  const cluster = docs.find((d) => d.kind === 'Cluster');
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-pod-'));
  try {
    const env: Record<string, string> = { ...image.env };
    for (const variable of container.env ?? []) {
      if (variable.valueFrom !== undefined) {
        problems.push(
          `${id}: ${variable.name} comes from valueFrom: mount secrets as files (*_FILE) instead`,
        );
        continue;
      }
      env[variable.name] = variable.value ?? '';
    }
    for (const [name, path] of Object.entries(env)) {
      if (!name.endsWith('_FILE') || name === 'BACKUP_AGE_IDENTITY_FILE') continue;
      const secretName = name.slice(0, -'_FILE'.length);
      if (!(SECRET_VARIABLES as readonly string[]).includes(secretName)) {
        problems.push(`${id}: ${name} is not a variable Slipway reads (no ${secretName} secret)`);
        continue;
      }
      const content = mountedSecretFile(
        docs,
        spec,
        container,
        path,
        namespace,
        cluster,
        `${id}: ${name}`,
        problems,
      );
      if (content === undefined) continue;
      const local = join(tmp, 'files', path);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, content);
      env[name] = local;
    }
    // Only the server signs anything: other commands run without SECRET_KEY (as the CLI loads them).
    const command = [...(container.command ?? []), ...(container.args ?? [])][0] ?? 'start';
    try {
      return loadConfig({ env, cwd: tmp, requireSecretKey: command === 'start' || command === 'serve' });
    } catch (error) {
      problems.push(`${id}: Slipway refuses this configuration: ${(error as Error).message}`);
      return undefined;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The content of the secret file at `path` in the container, or undefined with a problem. */
function mountedSecretFile(
  docs: Manifest[],
  spec: PodSpec,
  container: Container,
  path: string,
  namespace: string,
  cluster: Manifest | undefined,
  id: string,
  problems: string[],
): string | undefined {
  const mount = (container.volumeMounts ?? []).find(
    (m) => !m.subPath && path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`),
  );
  if (!mount) {
    problems.push(`${id}: nothing is mounted at ${path}`);
    return undefined;
  }
  const volume = (spec?.volumes ?? []).find((v: { name: string }) => v.name === mount.name);
  const secretName: string | undefined = volume?.secret?.secretName;
  if (!secretName) {
    problems.push(`${id}: ${path} is on volume ${mount.name}, which is not a Secret`);
    return undefined;
  }
  const file = posix.relative(mount.mountPath, path);
  const items: { key: string; path: string }[] | undefined = volume.secret.items;
  const key = items ? items.find((i) => i.path === file)?.key : file;
  if (key === undefined) {
    problems.push(`${id}: the Secret volume ${mount.name} projects no file ${file}`);
    return undefined;
  }
  let data: Record<string, string> | undefined;
  const generated = docs.find((d) => d.kind === 'Secret' && d.metadata.name === secretName);
  if (generated)
    data = Object.fromEntries(
      Object.entries({ ...(generated.data ?? {}) } as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString('utf8'),
      ]),
    );
  else if (cluster && secretName === `${cluster.metadata.name}-app`) data = cnpgAppSecret(cluster, namespace);
  if (!data) {
    problems.push(`${id}: no Secret ${secretName} in the output, and CloudNativePG makes no such secret`);
    return undefined;
  }
  if (data[key] === undefined) {
    problems.push(`${id}: the Secret ${secretName} has no key ${key}`);
    return undefined;
  }
  return data[key];
}

/** Every broken promise of the built manifests, one line each; empty when all hold. */
export function contractProblems(docs: Manifest[], image: ImageFacts): string[] {
  const problems: string[] = [];
  const only = (kind: string): Manifest | undefined => {
    const found = docs.filter((d) => d.kind === kind);
    if (found.length !== 1) problems.push(`expected one ${kind}, found ${found.length}`);
    return found[0];
  };
  const deployment = only('Deployment');
  const service = only('Service');
  const ingress = only('Ingress');
  const pdb = only('PodDisruptionBudget');
  const hpa = only('HorizontalPodAutoscaler');
  const cluster = only('Cluster');
  const cronJob = only('CronJob');
  if (!deployment || !service || !ingress || !pdb || !hpa || !cluster || !cronJob) return problems;

  // --- The database: CloudNativePG, 3 instances, the image's PostgreSQL major. ---------------
  const clusterName: string = cluster.metadata.name;
  if (cluster.spec?.instances !== 3)
    problems.push(`Cluster ${clusterName}: ${cluster.spec?.instances} instances, not 3`);
  const pgImageMajor = Number(/:(\d+)/.exec(cluster.spec?.imageName ?? '')?.[1]);
  if (pgImageMajor !== image.pgMajor)
    problems.push(
      `Cluster ${clusterName}: PostgreSQL ${pgImageMajor || '(imageName without a major)'}, but the image's pg_dump is ${image.pgMajor} (backups would fail)`,
    );

  // --- Every workload: the image, non-root, read-only root, resources, secrets as files. -----
  const workloads = docs.filter((d) => podSpec(d));
  const images = new Set<string>();
  for (const workload of workloads) {
    const spec = podSpec(workload);
    const security = spec.securityContext ?? {};
    if (security.runAsNonRoot !== true)
      problems.push(`${workload.kind} ${workload.metadata.name}: runAsNonRoot is not set`);
    if (security.runAsUser !== image.uid)
      problems.push(
        `${workload.kind} ${workload.metadata.name}: runAsUser ${security.runAsUser}, but the image's USER ${image.user} is uid ${image.uid}`,
      );
    if (security.seccompProfile?.type !== 'RuntimeDefault')
      problems.push(`${workload.kind} ${workload.metadata.name}: no RuntimeDefault seccomp profile`);
    if (spec.automountServiceAccountToken !== false)
      problems.push(
        `${workload.kind} ${workload.metadata.name}: the service account token is mounted (the app needs none)`,
      );
    for (const container of containersOf(spec)) {
      const id = `${workload.kind} ${workload.metadata.name}, container ${container.name}`;
      images.add(container.image ?? '');
      if (container.securityContext?.readOnlyRootFilesystem !== true)
        problems.push(`${id}: the root filesystem is not read-only`);
      if (container.securityContext?.allowPrivilegeEscalation !== false)
        problems.push(`${id}: allowPrivilegeEscalation is not false`);
      if (!container.securityContext?.capabilities?.drop?.includes('ALL'))
        problems.push(`${id}: capabilities are not all dropped`);
      if (!container.resources?.requests?.['cpu'] || !container.resources?.requests?.['memory'])
        problems.push(`${id}: no CPU and memory requests`);
      if (!container.resources?.limits?.['memory']) problems.push(`${id}: no memory limit`);
      const tmpMount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      const tmpVolume = spec.volumes?.find((v: { name: string }) => v.name === tmpMount?.name);
      if (!tmpVolume?.emptyDir) problems.push(`${id}: /tmp is not a writable emptyDir`);
    }
  }
  if (images.size !== 1) problems.push(`the workloads run different images: ${[...images].join(', ')}`);
  const [onlyImage] = images;
  if (onlyImage !== undefined && !/^[^:]+\/[^:]+:[^:]+$/.test(onlyImage))
    problems.push(`image ${onlyImage}: not a registry path with a tag (the overlay's images: entry)`);

  // --- The web Deployment. -----------------------------------------------------------------
  const spec = podSpec(deployment);
  const labels: Record<string, string> = deployment.spec?.template?.metadata?.labels ?? {};
  const web: Container | undefined = spec?.containers?.[0];
  if (!web) return [...problems, 'Deployment: no container'];
  const config = podConfig(docs, deployment, web, image, problems);
  if (!config) return problems;
  if (web.args?.[0] !== 'start')
    problems.push(`Deployment: the command is ${JSON.stringify(web.args)}, not the image's \`start\``);
  for (const problem of deployProblems(config))
    problems.push(`Deployment: slipway check --deploy: ${problem}`);
  const refusal = embeddedRefusal(config);
  if (refusal) problems.push(`Deployment: ${refusal}`);

  const portOf = (port: string | number | undefined) =>
    typeof port === 'number' ? port : web.ports?.find((p) => p.name === port)?.containerPort;
  const probe = (name: string, path: string) => {
    const p = web[name];
    if (!p) return problems.push(`Deployment: no ${name}`);
    if (p.httpGet?.path !== path) problems.push(`Deployment: ${name} GETs ${p.httpGet?.path}, not ${path}`);
    if (portOf(p.httpGet?.port) !== config.port)
      problems.push(
        `Deployment: ${name} calls port ${p.httpGet?.port}, but the server listens on ${config.port}`,
      );
  };
  probe('readinessProbe', '/readyz');
  probe('livenessProbe', '/livez');
  probe('startupProbe', '/livez');

  // Drain: preStop, then SIGTERM and SHUTDOWN_TIMEOUT (plus the workers' margin), within the grace.
  const preStop = web.lifecycle?.preStop;
  const preStopSeconds =
    preStop?.sleep?.seconds ??
    Number(/^(?:\/bin\/)?sleep$/.test(preStop?.exec?.command?.[0]) ? preStop.exec.command[1] : Number.NaN);
  if (!(preStopSeconds > 0))
    problems.push('Deployment: no preStop pause (endpoints are removed while it sleeps)');
  const needed = (preStopSeconds || 0) + config.shutdown.timeoutMs / 1000 + image.stopMarginSeconds;
  const grace: number = spec.terminationGracePeriodSeconds ?? 30;
  if (!(grace > needed))
    problems.push(
      `Deployment: terminationGracePeriodSeconds ${grace} is not above preStop ${preStopSeconds} s + SHUTDOWN_TIMEOUT ${config.shutdown.timeoutMs / 1000} s + ${image.stopMarginSeconds} s`,
    );
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  if (rolling?.maxUnavailable !== 0)
    problems.push(
      'Deployment: a rolling update may stop a pod before its successor is ready (maxUnavailable is not 0)',
    );

  // Workers: a number (auto counts the node's CPUs), within the CPU limit; connections fit.
  const workers = config.webConcurrency;
  const cpuLimit = cpu(web.resources?.limits?.['cpu']);
  if (workers === 'auto')
    problems.push("Deployment: WEB_CONCURRENCY is auto, which counts the node's CPUs, not the limit");
  else if (cpuLimit !== undefined && workers > Math.max(1, cpuLimit))
    problems.push(`Deployment: WEB_CONCURRENCY ${workers} is above the CPU limit ${cpuLimit}`);
  const maxConnections = Number(cluster.spec?.postgresql?.parameters?.max_connections ?? 100);
  if (config.database.engine === 'postgres' && workers !== 'auto') {
    const connections = hpa.spec.maxReplicas * workers * config.database.poolMax;
    if (connections + 10 > maxConnections)
      problems.push(
        `at most ${connections} connections (HPA maxReplicas ${hpa.spec.maxReplicas} x WEB_CONCURRENCY ${workers} x DB_POOL_MAX ${config.database.poolMax}) + 10 do not fit max_connections ${maxConnections}`,
      );
  }

  // The database: the primary through <cluster>-rw, the standbys through <cluster>-ro.
  const namespace = deployment.metadata.namespace ?? 'default';
  if (config.database.engine !== 'postgres') problems.push('Deployment: the database is not PostgreSQL');
  else {
    if (config.database.host !== `${clusterName}-rw.${namespace}`)
      problems.push(`Deployment: the primary is ${config.database.host}, not the Service ${clusterName}-rw`);
    const replicaHosts = (config.database.replicas ?? []).map((r) => r.host);
    if (!replicaHosts.some((h) => h === `${clusterName}-ro` || h.startsWith(`${clusterName}-ro.`)))
      problems.push(
        `Deployment: the replicas are [${replicaHosts.join(', ')}], not the Service ${clusterName}-ro`,
      );
  }

  // Writable paths: media on a shared volume, not the read-only image.
  const mediaMount = web.volumeMounts?.find((m) => m.mountPath === config.mediaRoot);
  const mediaVolume = spec.volumes?.find((v: { name: string }) => v.name === mediaMount?.name);
  const mediaClaim = docs.find(
    (d) =>
      d.kind === 'PersistentVolumeClaim' && d.metadata.name === mediaVolume?.persistentVolumeClaim?.claimName,
  );
  if (!mediaMount || mediaMount.readOnly)
    problems.push(`Deployment: MEDIA_ROOT ${config.mediaRoot} is not a writable mount`);
  else if (!mediaClaim?.spec?.accessModes?.includes('ReadWriteMany'))
    problems.push(
      'Deployment: MEDIA_ROOT is not on a ReadWriteMany claim (replicas on several nodes share it)',
    );

  // --- Service, Ingress, PodDisruptionBudget, HorizontalPodAutoscaler. -----------------------
  if (!labelsMatch(service.spec?.selector, labels))
    problems.push('Service: its selector does not match the web pods');
  const servicePort = service.spec?.ports?.[0];
  if (portOf(servicePort?.targetPort) !== config.port)
    problems.push("Service: targetPort is not the server's port");
  for (const rule of ingress.spec?.rules ?? []) {
    if (!rule.host) problems.push('Ingress: a rule without a host');
    else if (!hostAllowed(rule.host, config.allowedHosts))
      problems.push(
        `Ingress: ${rule.host} is not in ALLOWED_HOSTS (${config.allowedHosts.join(',')}): it would get 400`,
      );
    for (const path of rule.http?.paths ?? []) {
      const backend = path.backend?.service;
      if (backend?.name !== service.metadata.name)
        problems.push(`Ingress: ${rule.host} goes to ${backend?.name}, not the Service`);
      if (backend?.port?.name !== servicePort?.name && backend?.port?.number !== servicePort?.port)
        problems.push(`Ingress: ${rule.host} names a port the Service does not have`);
    }
  }
  if (!labelsMatch(pdb.spec?.selector?.matchLabels, labels))
    problems.push('PodDisruptionBudget: its selector does not match the web pods');
  const target = hpa.spec?.scaleTargetRef;
  if (target?.kind !== 'Deployment' || target?.name !== deployment.metadata.name)
    problems.push('HorizontalPodAutoscaler: it does not scale the web Deployment');
  if (deployment.spec?.replicas !== undefined)
    problems.push(
      'Deployment: replicas is set, so every kubectl apply resets what the HorizontalPodAutoscaler chose',
    );
  if (!(hpa.spec?.minReplicas >= 2))
    problems.push('HorizontalPodAutoscaler: minReplicas below 2 (a single pod is down at every node drain)');
  if (pdb.spec?.minAvailable !== undefined && !(pdb.spec.minAvailable < hpa.spec?.minReplicas))
    problems.push('PodDisruptionBudget: minAvailable blocks every node drain at minReplicas');

  // --- The backup CronJob: `backup create`, encrypted, onto a claim. ------------------------
  const backupSpec = podSpec(cronJob);
  const creator = containersOf(backupSpec).find((c) =>
    [...(c.command ?? []), ...(c.args ?? [])].join(' ').includes('backup create'),
  );
  if (!creator) problems.push('CronJob: no container runs `slipway backup create`');
  else {
    const backup = podConfig(docs, cronJob, creator, image, problems);
    if (backup) {
      if (backup.backup.ageRecipients.length === 0 && !backup.backup.passphrase)
        problems.push('CronJob: backups are not encrypted (no BACKUP_AGE_RECIPIENTS_FILE)');
      const mount = creator.volumeMounts?.find((m) => m.mountPath === backup.backup.dir);
      const volume = backupSpec.volumes?.find((v: { name: string }) => v.name === mount?.name);
      if (!mount || mount.readOnly || !volume?.persistentVolumeClaim)
        problems.push(`CronJob: BACKUP_DIR ${backup.backup.dir} is not a writable claim`);
      const media = creator.volumeMounts?.find((m) => m.mountPath === backup.mediaRoot);
      const mediaVol = backupSpec.volumes?.find((v: { name: string }) => v.name === media?.name);
      if (mediaVol?.persistentVolumeClaim?.claimName !== mediaVolume?.persistentVolumeClaim?.claimName)
        problems.push(
          "CronJob: MEDIA_ROOT is not the web pods' media claim (media would be missing from backups)",
        );
    }
  }
  if (cronJob.spec?.concurrencyPolicy !== 'Forbid')
    problems.push('CronJob: two backups may run at once (concurrencyPolicy)');
  return problems;
}
