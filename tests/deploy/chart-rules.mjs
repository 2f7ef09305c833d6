// The botm-server chart's own rules, checked on rendered objects (not on values, so they
// hold whatever the values were). Each rule yields { name, ok, detail }.

const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);

// Parses the absl flagfile held in the ConfigMap into { flag: value }.
function flagsOf(configMap) {
  const flags = {};
  const text = configMap?.data?.['botm-server.flags'] ?? '';
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^--([a-z0-9_]+)(?:=(.*))?$/);
    if (m) flags[m[1]] = m[2] ?? 'true';
  }
  return flags;
}

const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

// Evaluates a LabelSelector (matchLabels and matchExpressions) against labels.
function selects(selector, labels = {}) {
  const exprOk = (e) => {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      case 'In': return has && e.values.includes(labels[e.key]);
      case 'NotIn': return !has || !e.values.includes(labels[e.key]);
      default: return false;
    }
  };
  return matches(selector?.matchLabels, labels) && (selector?.matchExpressions ?? []).every(exprOk);
}

function probeRules(container, grpcPort) {
  const out = [];
  for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    const probe = container[kind];
    if (!probe) {
      out.push([`${kind} present`, kind === 'startupProbe', 'missing']);
      continue;
    }
    if (probe.grpc) {
      out.push([`${kind} is gRPC on the gRPC port`, probe.grpc.port === grpcPort,
        `grpc.port ${probe.grpc.port} != container port ${grpcPort}`]);
    } else {
      // TLS: kubelet gRPC probes speak plaintext only, so the chart execs botm-client.
      const cmd = probe.exec?.command ?? [];
      const ok = cmd[0] === 'botm-client' && cmd[1] === 'health' &&
        cmd.some((a) => a.startsWith('--server=') && a.endsWith(`:${grpcPort}`)) &&
        cmd.some((a) => a.startsWith('--tls_ca='));
      out.push([`${kind} is botm-client health over TLS on the gRPC port`, ok, JSON.stringify(probe)]);
    }
  }
  return out;
}

function securityRules(pod, container) {
  const psc = pod.securityContext ?? {};
  const csc = container.securityContext ?? {};
  const seccomp = (csc.seccompProfile ?? psc.seccompProfile)?.type;
  return [
    ['runs as non-root', (csc.runAsNonRoot ?? psc.runAsNonRoot) === true, 'runAsNonRoot is not true'],
    ['non-zero uid', (csc.runAsUser ?? psc.runAsUser ?? 1) !== 0, 'runAsUser is 0'],
    ['read-only root filesystem', csc.readOnlyRootFilesystem === true, 'readOnlyRootFilesystem is not true'],
    ['no privilege escalation', csc.allowPrivilegeEscalation === false, 'allowPrivilegeEscalation is not false'],
    ['drops ALL capabilities', (csc.capabilities?.drop ?? []).includes('ALL'), 'capabilities.drop lacks ALL'],
    ['seccomp RuntimeDefault', seccomp === 'RuntimeDefault', `seccompProfile.type is ${seccomp}`],
  ];
}

function drainRules(pod, container, flags) {
  const drain = Number(flags.drain_deadline_s);
  const pre = container.lifecycle?.preStop;
  const sleep = pre?.sleep ? Number(pre.sleep.seconds)
    : pre?.exec?.command?.[0] === 'sleep' ? Number(pre.exec.command[1]) : NaN;
  const grace = pod.terminationGracePeriodSeconds;
  return [
    ['flagfile sets --drain_deadline_s', Number.isInteger(drain), 'missing or not an integer'],
    ['preStop sleeps before SIGTERM', Number.isFinite(sleep) && sleep > 0, JSON.stringify(pre)],
    ['terminationGracePeriodSeconds > preStop sleep + drain deadline',
      Number.isInteger(grace) && grace > drain + (sleep || 0),
      `grace ${grace} <= sleep ${sleep} + drain ${drain}`],
  ];
}

function podRules(objects, dep, flags) {
  const pod = dep.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'botm-server');
  if (!container) return [['container botm-server present', false, 'missing']];
  const port = (name) => container.ports?.find((p) => p.name === name)?.containerPort;
  const grpcPort = port('grpc');
  const mounts = container.volumeMounts ?? [];
  const tmp = mounts.find((m) => m.mountPath === '/tmp');
  const tmpVol = pod.volumes?.find((v) => v.name === tmp?.name);
  const flagArg = (container.args ?? []).find((a) => a.startsWith('--flagfile='));
  const flagDir = flagArg?.slice('--flagfile='.length).replace(/\/[^/]+$/, '');
  const gpuLimit = Object.keys(container.resources?.limits ?? {}).some((k) => k.endsWith('/gpu'));
  return [
    ['flagfile --port matches the grpc container port', Number(flags.port) === grpcPort,
      `--port=${flags.port}, container port ${grpcPort}`],
    ['flagfile --metrics_port matches the metrics container port', Number(flags.metrics_port) === port('metrics'),
      `--metrics_port=${flags.metrics_port}, container port ${port('metrics')}`],
    ['--flagfile points into the ConfigMap mount', !!flagArg && mounts.some((m) => m.mountPath === flagDir),
      `${flagArg} not under a volume mount`],
    ['/tmp is an emptyDir', !!tmpVol?.emptyDir, 'no emptyDir at /tmp'],
    ['a GPU limit comes with --device other than cpu', !gpuLimit || flags.device !== 'cpu',
      'GPU requested but --device=cpu'],
    ...probeRules(container, grpcPort),
    ...securityRules(pod, container),
    ...drainRules(pod, container, flags),
  ];
}

function crossRules(objects, dep) {
  const podLabels = dep.spec.template.metadata.labels;
  const containerPorts = dep.spec.template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name);
  const out = [['Deployment selector matches its pod labels', selects(dep.spec.selector, podLabels), '']];
  for (const svc of byKind(objects, 'Service')) {
    out.push([`Service ${svc.metadata.name} selects the pods`, matches(svc.spec.selector, podLabels), '']);
    for (const p of svc.spec.ports) {
      out.push([`Service ${svc.metadata.name} port ${p.name} targets a container port`,
        containerPorts.includes(p.targetPort), `targetPort ${p.targetPort}`]);
    }
  }
  for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
    out.push(['PodDisruptionBudget selects the pods', selects(pdb.spec.selector, podLabels), '']);
  }
  for (const hpa of byKind(objects, 'HorizontalPodAutoscaler')) {
    const t = hpa.spec.scaleTargetRef;
    out.push(['HPA targets the Deployment', t.kind === 'Deployment' && t.apiVersion === 'apps/v1' &&
      t.name === dep.metadata.name, JSON.stringify(t)]);
    out.push(['HPA has metrics and min <= max', (hpa.spec.metrics ?? []).length > 0 &&
      (hpa.spec.minReplicas ?? 1) <= hpa.spec.maxReplicas, JSON.stringify(hpa.spec)]);
    out.push(['Deployment leaves replicas to the HPA', dep.spec.replicas === undefined,
      `replicas: ${dep.spec.replicas}`]);
  }
  for (const sm of byKind(objects, 'ServiceMonitor')) {
    const svcs = byKind(objects, 'Service').filter((s) => selects(sm.spec.selector, s.metadata.labels));
    out.push(['ServiceMonitor selects a Service', svcs.length > 0, JSON.stringify(sm.spec.selector)]);
    for (const svc of svcs) {
      const names = svc.spec.ports.map((p) => p.name);
      out.push([`ServiceMonitor endpoints name ports of Service ${svc.metadata.name}`,
        sm.spec.endpoints.every((e) => names.includes(e.port)), JSON.stringify(sm.spec.endpoints)]);
    }
  }
  return out;
}

// Returns the rule results for one rendering of the chart.
export function chartRules(objects) {
  const deps = byKind(objects, 'Deployment');
  if (deps.length !== 1) return [{ name: 'exactly one Deployment', ok: false, detail: `${deps.length} found` }];
  const cms = byKind(objects, 'ConfigMap');
  const flags = flagsOf(cms[0]);
  const rules = [['one ConfigMap holds the flagfile', cms.length === 1 && Object.keys(flags).length > 0, ''],
    ...podRules(objects, deps[0], flags), ...crossRules(objects, deps[0])];
  return rules.map(([name, ok, detail]) => ({ name, ok: !!ok, detail }));
}
