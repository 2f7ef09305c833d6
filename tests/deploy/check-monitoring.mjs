// Checks the monitoring files in deploy/ against botm-server's metrics contract
// (server/server_metrics.h): the Grafana dashboard, the Prometheus rules and the
// prometheus-adapter rules may only use metric names, outcomes and phases the server exports.
// Also writes, for promtool (scripts/check-helm.sh runs it when available):
//   OUT/queries.rules.yml    every dashboard and adapter query as a recording rule (PromQL parse)
//   OUT/prometheus.yml       deploy/prometheus.yml with its rule_files pointing at deploy/
//                            and, with --no-k8s-sd, without kubernetes_sd jobs (Debian's
//                            promtool is built without Kubernetes discovery)
//
// Usage: node check-monitoring.mjs --modules DIR --repo ROOT --out OUT [--no-k8s-sd]
// Exits 1 with one line per problem.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CONTRACT = {
  metrics: new Set(['botm_frames_total', 'botm_streams_total', 'botm_phase_latency_seconds_bucket',
    'botm_phase_latency_seconds_sum', 'botm_phase_latency_seconds_count', 'botm_batch_size_bucket',
    'botm_batch_size_sum', 'botm_batch_size_count', 'botm_queue_depth', 'botm_active_streams',
    'botm_model_info', 'botm_device_memory_bytes']),
  labels: {
    botm_frames_total: { outcome: ['ok', 'error', 'dropped', 'deadline_exceeded'] },
    botm_streams_total: { outcome: ['ok', 'error', 'cancelled', 'rejected'] },
    botm_phase_latency_seconds: { phase: ['decode', 'queue', 'inference', 'encode', 'total'] },
  },
};

const args = { modules: '', repo: '', out: '', k8sSd: true };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--modules') args.modules = process.argv[++i];
  else if (a === '--repo') args.repo = process.argv[++i];
  else if (a === '--out') args.out = process.argv[++i];
  else if (a === '--no-k8s-sd') args.k8sSd = false;
}
if (!args.modules || !args.repo || !args.out) {
  console.error('usage: check-monitoring.mjs --modules DIR --repo ROOT --out OUT [--no-k8s-sd]');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(args.modules), 'package.json'));
const YAML = require('yaml');
const deploy = path.join(path.resolve(args.repo), 'deploy');
const problems = [];

// Checks one PromQL expression's metric names and label values against the contract.
function checkExpr(where, expr) {
  for (const [, name] of expr.matchAll(/\b(botm_[a-z_]+)\b/g)) {
    if (!CONTRACT.metrics.has(name)) problems.push(`${where}: unknown metric ${name}`);
  }
  for (const [, name, body] of expr.matchAll(/\b(botm_[a-z_]+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/g)) {
    const allowed = CONTRACT.labels[name] ?? {};
    for (const [, label, value] of body.matchAll(/([a-z_]+)\s*=\s*"([^"]*)"/g)) {
      if (allowed[label] && !allowed[label].includes(value)) {
        problems.push(`${where}: ${name}{${label}="${value}"} is not exported (${allowed[label].join('|')})`);
      }
    }
  }
}

// Grafana expressions with dashboard variables replaced so promtool can parse them.
const grafanaToPromql = (e) => e.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*')
  .replaceAll('$pod', '.*');
const adapterToPromql = (e, series) => e.replaceAll('<<.GroupBy>>', 'namespace, pod')
  .replaceAll('<<.LabelMatchers>>', 'namespace="ci"').replaceAll('<<.Series>>', series);

const queries = [];
const dash = JSON.parse(readFileSync(path.join(deploy, 'grafana-dashboard.json'), 'utf8'));
const ids = new Set();
for (const panel of dash.panels ?? []) {
  if (ids.has(panel.id)) problems.push(`dashboard: duplicate panel id ${panel.id}`);
  ids.add(panel.id);
  if (panel.type === 'row') continue;
  if (!(panel.targets ?? []).length) problems.push(`dashboard: panel "${panel.title}" has no query`);
  for (const t of panel.targets ?? []) {
    checkExpr(`dashboard "${panel.title}"`, t.expr);
    queries.push(grafanaToPromql(t.expr));
  }
}
const rules = YAML.parse(readFileSync(path.join(deploy, 'botm-rules.yml'), 'utf8'));
for (const g of rules.groups) for (const r of g.rules) checkExpr(`rules ${r.record ?? r.alert}`, r.expr);
const adapter = YAML.parse(readFileSync(path.join(deploy, 'prometheus-adapter-rules.yaml'), 'utf8'));
for (const r of adapter.rules) {
  const series = r.seriesQuery.replace(/\{.*$/, '');
  checkExpr(`adapter ${r.name.as}`, r.seriesQuery);
  checkExpr(`adapter ${r.name.as}`, adapterToPromql(r.metricsQuery, series));
  queries.push(adapterToPromql(r.metricsQuery, series));
}
const wanted = ['botm_active_streams', 'botm_queue_seconds_avg'];
const served = adapter.rules.map((r) => r.name.as);
for (const w of wanted) if (!served.includes(w)) problems.push(`adapter: does not serve ${w} (chart default)`);

writeFileSync(path.join(args.out, 'queries.rules.yml'), YAML.stringify({
  groups: [{ name: 'queries', rules: queries.map((expr, i) => ({ record: `botm_check:q${i}`, expr })) }],
}));
const prom = YAML.parse(readFileSync(path.join(deploy, 'prometheus.yml'), 'utf8'));
prom.rule_files = [path.join(deploy, 'botm-rules.yml')];
if (!args.k8sSd) prom.scrape_configs = prom.scrape_configs.filter((c) => !c.kubernetes_sd_configs);
writeFileSync(path.join(args.out, 'prometheus.yml'), YAML.stringify(prom));

for (const p of problems) console.log(`  FAIL ${p}`);
console.log(`  monitoring: ${queries.length} queries, ${dash.panels.length} panels checked against the metrics contract`);
process.exit(problems.length ? 1 : 0);
