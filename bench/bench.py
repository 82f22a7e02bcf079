#!/usr/bin/env python3
"""Benchmark stslint on a generated corpus.

    cargo build --release && python3 bench/bench.py [--files N] [--runs R]

Generates N manifest files (each a StatefulSet with its Service, PDB, backup
CronJob, a ConfigMap, a Deployment and its PDB: 7 objects, ~5 KB; mostly
clean, with planted findings: Parallel on every 7th database, a hardcoded
password in every 11th), then times:
  - the whole tree (CI gate),
  - a handful of files (pre-commit),
  - one file from stdin (editor on-save),
reporting the median of R runs for 1 thread and all threads."""
import argparse, os, pathlib, statistics, subprocess, sys, tempfile, time

TEMPLATE = """apiVersion: v1
kind: Service
metadata: {{name: db{i}, namespace: ns{ns}}}
spec:
  clusterIP: None
  selector: {{app: db{i}}}
  ports: [{{port: 5432}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: db{i}, namespace: ns{ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: db{i}}}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db{i}, namespace: ns{ns}}}
spec:
  serviceName: db{i}
  replicas: 3
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: db{i}}}}}
  template:
    metadata: {{labels: {{app: db{i}}}}}
    spec:
      securityContext: {{runAsNonRoot: true, runAsUser: 999}}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {{matchLabels: {{app: db{i}}}}}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: postgres
        image: postgres:16.{i}
        securityContext: {{allowPrivilegeEscalation: false}}
        env:
        - name: POSTGRES_PASSWORD
          {password}
        - name: PGDATA
          value: /var/lib/postgresql/data/pgdata
        resources:
          requests: {{cpu: 500m, memory: 1Gi}}
          limits: {{memory: 2Gi}}
        startupProbe: {{exec: {{command: [pg_isready]}}, failureThreshold: 60}}
        livenessProbe: {{exec: {{command: [pg_isready]}}}}
        readinessProbe: {{exec: {{command: [pg_isready]}}}}
        volumeMounts: [{{name: data, mountPath: /var/lib/postgresql/data}}]
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      storageClassName: fast-ssd
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 10Gi}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: db{i}-backup, namespace: ns{ns}}}
spec:
  schedule: "0 2 * * *"
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 600
  jobTemplate:
    spec:
      activeDeadlineSeconds: 3600
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          securityContext: {{runAsNonRoot: true, runAsUser: 999}}
          containers:
          - name: backup
            image: postgres:16
            securityContext: {{allowPrivilegeEscalation: false}}
            resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
            command: ["sh", "-c", "pg_dump -h db{i}-0.db{i} -U app app > /backup/db.sql"]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: db{i}-config, namespace: ns{ns}}}
data:
  postgresql.conf: |
    max_connections = 200
    shared_buffers = 256MB
  log_level: info
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: api{i}, namespace: ns{ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: api{i}}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api{i}, namespace: ns{ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: api{i}}}}}
  template:
    metadata: {{labels: {{app: api{i}}}}}
    spec:
      securityContext: {{runAsNonRoot: true, runAsUser: 1000}}
      containers:
      - name: api
        image: example/api:{i}
        securityContext: {{allowPrivilegeEscalation: false}}
        resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
        livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
        readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
"""


def generate(root: pathlib.Path, n: int) -> int:
    total = 0
    for i in range(n):
        text = TEMPLATE.format(
            i=i,
            ns=i % 20,
            policy="Parallel" if i % 7 == 0 else "OrderedReady",
            password="value: hunter2" if i % 11 == 0 else "valueFrom: {secretKeyRef: {name: db, key: pw}}",
        )
        d = root / f"team{i % 10}"
        d.mkdir(exist_ok=True)
        (d / f"db{i}.yaml").write_text(text)
        total += len(text)
    return total


def timed(cmd, runs, stdin=None):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode not in (0, 1):
            sys.exit(f"{cmd}: exit {p.returncode}: {p.stderr[:500]}")
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default="target/release/stslint")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        size = generate(root, a.files)
        mb = size / 1e6
        print(f"corpus: {a.files} files, {a.files * 7} objects, {mb:.1f} MB")
        for threads in ["1", str(os.cpu_count() or 1)]:
            t = timed([a.bin, "--format", "json", "-j", threads, str(root)], a.runs)
            print(f"tree, {threads} thread(s): {t * 1000:.0f} ms  ({mb / t:.1f} MB/s, {a.files / t:.0f} files/s)")
        few = [str(p) for p in sorted(root.glob("team0/*.yaml"))[:5]]
        t = timed([a.bin, "--format", "compact", *few], a.runs)
        print(f"pre-commit, 5 files: {t * 1000:.1f} ms")
        one = (root / "team0" / "db0.yaml").read_text()
        t = timed([a.bin, "--format", "compact", "--stdin-filename", "db0.yaml", "-"], a.runs, stdin=one)
        print(f"editor, 1 file on stdin: {t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
