// Validates the output of `helm template` for the botm-server chart:
//   1. every object against the Kubernetes API schema (kubernetes-models, API 1.3x) or, for
//      the ServiceMonitor, against the Prometheus Operator CRD schema
//      (@kubernetes-models/prometheus-operator, generated from the CRD's openAPIV3Schema);
//   2. the chart's own rules (chart-rules.mjs): probes, drain/grace period, security context,
//      HPA target, selectors and ports that must agree across objects.
// Note: like the OpenAPI schema itself, kubernetes-models does not reject unknown fields;
// that would need a server's strict field validation.
//
// Usage: node validate.mjs --modules DIR [--label NAME] RENDERED.yaml
//   DIR holds node_modules with the packages of tests/deploy/package.json
//   (scripts/fetch-k8s-tools.sh installs them under .cache/k8s-tools/node).
// Prints one line per failure and a summary; exits 1 when anything failed, 2 on bad usage.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chartRules } from './chart-rules.mjs';

function parseArgs(argv) {
  const args = { modules: '', label: '', file: '' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--modules') args.modules = argv[++i] ?? '';
    else if (argv[i] === '--label') args.label = argv[++i] ?? '';
    else if (!args.file) args.file = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!args.modules || !args.file) throw new Error('usage: validate.mjs --modules DIR [--label NAME] FILE');
  return args;
}

// Returns the model class for apiVersion/kind, or null when no package models it.
function modelClass(require, apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const candidates = [];
  if (group === 'monitoring.coreos.com') {
    candidates.push(`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`);
  } else {
    candidates.push(group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`);
  }
  for (const id of candidates) {
    try {
      return require(id)[kind];
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return null;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// Schema-validates one object; returns a list of problems (empty when valid).
function schemaProblems(require, obj) {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['missing apiVersion or kind'];
  const Model = modelClass(require, apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  const problems = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    const errors = e.errors ?? [{ instancePath: '', message: e.message }];
    for (const err of errors) problems.push(`${err.instancePath || '/'} ${err.message}`);
  }
  const name = obj.metadata?.name ?? '';
  // Services (and objects named after them) must be DNS labels; the rest DNS subdomains.
  const nameOk = kind === 'Service' ? DNS_LABEL.test(name) && name.length <= 63
    : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (!nameOk) problems.push(`metadata.name "${name}" is not a valid ${kind} name`);
  return problems;
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`validate: ${e.message}`);
    process.exit(2);
  }
  const require = createRequire(path.join(path.resolve(args.modules), 'package.json'));
  const YAML = require('yaml');
  const label = args.label || path.basename(args.file);
  const docs = YAML.parseAllDocuments(readFileSync(args.file, 'utf8'));
  const objects = [];
  let failures = 0;
  const fail = (what, msg) => { failures++; console.log(`  FAIL [${label}] ${what}: ${msg}`); };
  for (const doc of docs) {
    if (doc.errors.length) { fail('yaml', doc.errors[0].message); continue; }
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  if (objects.length === 0) fail('render', 'no objects rendered');
  for (const obj of objects) {
    for (const p of schemaProblems(require, obj)) fail(`schema ${obj.kind}/${obj.metadata?.name}`, p);
  }
  const results = chartRules(objects);
  for (const r of results) if (!r.ok) fail(`rule ${r.name}`, r.detail);
  const kinds = objects.map((o) => o.kind).sort().join(', ');
  console.log(`  [${label}] ${objects.length} objects (${kinds}) schema-checked; ` +
    `${results.length - results.filter((r) => !r.ok).length}/${results.length} chart rules passed`);
  process.exit(failures ? 1 : 0);
}

main();
