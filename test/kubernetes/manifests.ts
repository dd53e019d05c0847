import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';

/**
 * deploy/kubernetes, built and checked without a cluster:
 *  - {@link buildOverlay}: `kubectl kustomize` on a copy of the folder, after writing the secret
 *    files an operator creates (they are git-ignored, so a checkout has none);
 *  - {@link schemaProblems}: every document against its kind's schema, offline: the Kubernetes
 *    kinds with the `kubernetes-models` package's validators (generated from the Kubernetes
 *    OpenAPI specification), CloudNativePG's Cluster with the operator's own CRD schema
 *    (vendored in schemas/), made strict about unknown fields as the API server is for a CRD;
 *  - {@link unknownFieldProblems}: the Kubernetes kinds again, for fields their schemas do not
 *    know (a misspelt `readinesProbe` passes the schemas, as it passes the OpenAPI; the API
 *    server rejects it), by type-checking them against kubernetes-models' TypeScript types.
 */

export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One document of kustomize's output: untyped YAML (its apiVersion, kind and metadata.name
 * always present), read field by field where a check needs it.
 */
// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML, narrowed by the checks.
export type Manifest = any;

/**
 * Builds `deploy/kubernetes/overlays/<overlay>` with `kubectl` at `kubectlPath` in a temporary
 * copy, with `secrets` (file name → content) written into the overlay's secrets/ first.
 */
export function buildOverlay(
  kubectlPath: string,
  overlay: string,
  secrets: Record<string, string>,
): { documents: Manifest[]; stderr: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-kubernetes-'));
  try {
    cpSync(join(root, 'deploy/kubernetes'), tmp, { recursive: true });
    for (const [name, content] of Object.entries(secrets))
      writeFileSync(join(tmp, 'overlays', overlay, 'secrets', name), content);
    const run = spawnSync(kubectlPath, ['kustomize', join(tmp, 'overlays', overlay)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.error) throw run.error;
    if (run.status !== 0)
      throw new Error(`kubectl kustomize failed (exit ${run.status}): ${run.stderr.trim()}`);
    const documents = parseAllDocuments(run.stdout).map((d) => {
      if (d.errors.length > 0) throw new Error(`kustomize output is not YAML: ${d.errors[0]!.message}`);
      return d.toJS() as Manifest;
    });
    return { documents: documents.filter(Boolean), stderr: run.stderr };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// --- Schemas -----------------------------------------------------------------------------

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** The kinds deploy/kubernetes may contain, by `apiVersion/kind`. Any other kind is a problem. */
const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'batch/v1/CronJob': CronJob as unknown as ModelClass,
  'batch/v1/Job': Job as unknown as ModelClass,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
};

type JsonSchema = { [key: string]: unknown };

/**
 * A CRD's openAPIV3Schema as the API server applies it: an object schema with `properties`
 * prunes (and, with strict field validation, rejects) any other field unless it says
 * `x-kubernetes-preserve-unknown-fields`; here such fields are errors (additionalProperties).
 * `metadata` is left to the Kubernetes ObjectMeta rules, as in a CRD.
 */
export function strictCrdSchema(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node))
      out[key] = key === 'properties' ? mapValues(value, walk) : walk(value);
    if (
      out['type'] === 'object' &&
      out['properties'] &&
      out['additionalProperties'] === undefined &&
      out['x-kubernetes-preserve-unknown-fields'] !== true
    )
      out['additionalProperties'] = false;
    return out;
  };
  return walk(schema) as JsonSchema;
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  return Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, f(v)]));
}

let cnpgCluster: ValidateFunction | undefined;

/** CloudNativePG's Cluster (postgresql.cnpg.io/v1), from the CRD in schemas/. */
function cnpgClusterValidator(): ValidateFunction {
  if (cnpgCluster) return cnpgCluster;
  const crd = parse(
    readFileSync(join(root, 'test/kubernetes/schemas/postgresql.cnpg.io_clusters.yaml'), 'utf8'),
  ) as { spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] } };
  const v1 = crd.spec.versions.find((v) => v.name === 'v1');
  if (!v1) throw new Error('the CloudNativePG CRD has no v1 version');
  // strict: false lets ajv skip the x-kubernetes-* keywords and OpenAPI's formats (int32...).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  cnpgCluster = ajv.compile(strictCrdSchema(v1.schema.openAPIV3Schema));
  return cnpgCluster;
}

/** Why `doc` does not match its kind's schema: one line per error, empty when it does. */
export function schemaProblems(doc: Manifest): string[] {
  const id = `${doc?.kind ?? '?'} ${doc?.metadata?.name ?? '?'}`;
  const key = `${doc?.apiVersion}/${doc?.kind}`;
  if (key === 'postgresql.cnpg.io/v1/Cluster') {
    const validate = cnpgClusterValidator();
    if (validate(doc)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${id}: ${e.instancePath || '/'} ${e.message}${e.params['additionalProperty'] ? ` (${e.params['additionalProperty']})` : ''}`,
    );
  }
  const model = MODELS[key];
  if (!model) return [`${id}: no schema for ${key} (a kind deploy/kubernetes is not expected to contain)`];
  // kustomize 5 wraps a Secret's base64 values at 76 columns; the API server's decoder (Go's
  // encoding/base64) skips line breaks, the schema's "byte" format does not.
  const data =
    doc.kind === 'Secret' && doc.data
      ? Object.fromEntries(
          Object.entries(doc.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]),
        )
      : undefined;
  try {
    new model((data ? { ...doc, data } : doc) as never).validate();
    return [];
  } catch (error) {
    return [`${id}: ${(error as Error).message}`];
  }
}

// --- Unknown fields ------------------------------------------------------------------------

/** The TypeScript type of each Kubernetes kind: its module and interface in kubernetes-models. */
function typeOf(key: string): { module: string; name: string } | undefined {
  if (!MODELS[key] || key === 'v1/Secret') return undefined;
  const parts = key.split('/');
  const kind = parts.at(-1)!;
  return { module: `kubernetes-models/${parts.join('/')}`, name: `I${kind}` };
}

/**
 * For each document, the fields that its kind does not have, found by TypeScript's excess
 * property check of the document as an object literal of kubernetes-models' interface for its
 * kind (`Object literal may only specify known properties...`). Kinds without such a type
 * (CloudNativePG's Cluster, checked by its CRD schema; Secret, whose data is free-form) get [].
 */
export function unknownFieldProblems(docs: Manifest[]): string[][] {
  const file = join(root, 'test/kubernetes/__manifests_typecheck__.ts');
  const imports = new Map<string, string>();
  const declarations: string[] = [];
  for (const [i, doc] of docs.entries()) {
    const type = typeOf(`${doc?.apiVersion}/${doc?.kind}`);
    if (!type) {
      declarations.push('');
      continue;
    }
    imports.set(type.module, type.name);
    declarations.push(`export const doc${i}: ${type.name} = ${JSON.stringify(doc)};\n`);
  }
  const header = [...imports].map(([module, name]) => `import type { ${name} } from '${module}';\n`).join('');
  const text = header + declarations.join('');
  const starts = declarations.map((_, i) => header.length + declarations.slice(0, i).join('').length);
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const problems: string[][] = docs.map(() => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const at = diagnostic.file?.fileName === file ? (diagnostic.start ?? -1) : -1;
    const i = starts.findLastIndex((start, n) => declarations[n] !== '' && start <= at);
    if (i < 0) throw new Error(`type-checking the manifests failed: ${message}`);
    problems[i]!.push(`${docs[i].kind} ${docs[i].metadata?.name}: ${message}`);
  }
  return problems;
}
