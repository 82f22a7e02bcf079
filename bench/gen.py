#!/usr/bin/env python3
"""Deterministic benchmark corpus for stslint: a monorepo of Helm-rendered stacks.

    python3 bench/gen.py --files N --seed S OUT_DIR

Same seed and N give byte-identical files (each file has its own RNG seeded by
seed and index, so the first N files of a larger corpus are the N-file corpus).
Each file is one stack, about 10 objects and 6.5 KB on average: a StatefulSet
running a data store (or a stateful app), its headless and client Services, a
PodDisruptionBudget, a Secret, ConfigMaps, a backup (CronJob or Velero
Schedule), app Deployments with Services, budgets and sometimes autoscalers,
and sometimes a StorageClass (cluster-scoped; a few names shared by many files).
Namespaces are crowded on purpose: ~70 of them, Zipf-skewed, and ~10% of files
set none, so at 10k files thousands of objects share a namespace and their
first label pair (`app.kubernetes.io/name`). Anti-patterns are planted at the
rates in RATES. About 1% of files are `kind: List`, 1% are `.json` Lists.
Python 3.11 standard library only."""
import argparse, json, pathlib, random, re

TEAMS = ["payments", "orders", "search", "identity", "billing", "catalog", "checkout", "ledger",
         "growth", "risk", "inventory", "shipping", "media", "notify", "analytics", "support", "ads"]
# 70 namespaces, most crowded first (weights fall as 1/rank^1.1).
NAMESPACES = ["data", "platform"] + [f"{t}-{e}" for t in TEAMS for e in ("prod", "staging", "dev", "qa")]
NS_WEIGHTS = [1 / (k + 1) ** 1.1 for k in range(len(NAMESPACES))]
CLUSTERS = ["prod-eu-west-1", "prod-us-east-1", "staging", "dev"]

# name, image, tags, port, data dir(s), password env, probe, backup command ("" = Velero), quorum store
ENGINES = [
    ("postgresql", "postgres", ["14.11", "15.6", "16.2", "16.4"], 5432, ["/var/lib/postgresql/data"], "POSTGRES_PASSWORD",
     ["pg_isready", "-U", "postgres"], "pg_dump -h {pod}.{svc} -U postgres -Fc app > /backup/app-$(date +%F).dump", False),
    ("mysql", "mysql", ["8.0.36", "8.4.0"], 3306, ["/var/lib/mysql"], "MYSQL_ROOT_PASSWORD",
     ["mysqladmin", "ping", "-h", "127.0.0.1"], "mysqldump -h {pod}.{svc} -u root --single-transaction --all-databases | gzip > /backup/all.sql.gz", False),
    ("mariadb", "mariadb", ["10.11.7", "11.4.2"], 3306, ["/var/lib/mysql"], "MARIADB_ROOT_PASSWORD",
     ["healthcheck.sh", "--connect"], "mariadb-dump -h {pod}.{svc} -u root --all-databases > /backup/all.sql", False),
    ("redis", "redis", ["7.2.4", "7.2.5"], 6379, ["/data"], "REDIS_PASSWORD",
     ["redis-cli", "ping"], "redis-cli -h {pod}.{svc} --rdb /backup/dump.rdb", False),
    ("mongodb", "mongo", ["6.0.14", "7.0.8"], 27017, ["/data/db"], "MONGO_INITDB_ROOT_PASSWORD",
     ["mongosh", "--quiet", "--eval", "db.adminCommand('ping')"], "mongodump --host {pod}.{svc} --gzip --archive=/backup/db.gz", True),
    ("kafka", "confluentinc/cp-kafka", ["7.5.3", "7.6.1"], 9092, ["/var/lib/kafka/data"], "",
     None, "", True),
    ("zookeeper", "zookeeper", ["3.8.4", "3.9.2"], 2181, ["/data", "/datalog"], "",
     ["zkServer.sh", "status"], "", True),
    ("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch", ["8.12.2", "8.13.4"], 9200,
     ["/usr/share/elasticsearch/data"], "ELASTIC_PASSWORD", None, "", False),
    ("rabbitmq", "rabbitmq", ["3.12.13-management", "3.13.2-management"], 5672, ["/var/lib/rabbitmq"],
     "RABBITMQ_DEFAULT_PASS", ["rabbitmq-diagnostics", "-q", "ping"], "", True),
    ("etcd", "quay.io/coreos/etcd", ["v3.5.12", "v3.5.13"], 2379, ["/var/lib/etcd"], "",
     ["etcdctl", "endpoint", "health"], "etcdctl --endpoints=http://{pod}.{svc}:2379 snapshot save /backup/etcd.db", True),
    ("cassandra", "cassandra", ["4.1.4", "5.0.0"], 9042, ["/var/lib/cassandra"], "",
     ["nodetool", "status"], "", False),
    ("prometheus", "prom/prometheus", ["v2.51.2", "v2.52.0"], 9090, ["/prometheus"], "", None, "", False),
    ("gitea", "gitea/gitea", ["1.21.11", "1.22.0"], 3000, ["/data"], "", None, "", False),
]
ENGINE_WEIGHTS = [24, 10, 6, 14, 8, 6, 4, 7, 5, 4, 3, 5, 4]
PEERS = {"elasticsearch", "cassandra", "kafka", "prometheus"}
# name, provisioner, parameters, volumeBindingMode, allowVolumeExpansion, default
STORAGE_CLASSES = [
    ("gp3", "ebs.csi.aws.com", {"type": "gp3", "fsType": "ext4"}, "WaitForFirstConsumer", True, True),
    ("fast-ssd", "pd.csi.storage.gke.io", {"type": "pd-ssd"}, "WaitForFirstConsumer", True, False),
    ("regional-ssd", "pd.csi.storage.gke.io", {"type": "pd-ssd", "replication-type": "regional-pd"}, "WaitForFirstConsumer", True, False),
    ("standard-rwo", "pd.csi.storage.gke.io", {"type": "pd-balanced"}, "Immediate", True, False),
    ("local-nvme", "kubernetes.io/no-provisioner", {}, "WaitForFirstConsumer", False, False),
    ("ceph-rbd", "rbd.csi.ceph.com", {"clusterID": "ceph-prod", "pool": "k8s"}, "Immediate", True, False),
]
RATES = dict(no_namespace=0.10, parallel=0.07, literal_password=0.05, no_probes=0.06, no_anti_affinity=0.10,
             no_pdb=0.06, pdb_zero=0.03, latest=0.05, single_replica=0.12, even_replicas=0.05,
             cron_no_limits=0.08, unsafe_cron=0.05, no_backup=0.07, dangling_service=0.03, no_class=0.10,
             no_security_context=0.07, pvc_delete=0.03, short_grace=0.03, db_in_deployment=0.03,
             yaml11=0.03, storage_class=0.02, hpa=0.25, second_app=0.15, as_list=0.01, as_json=0.01)
WORDS = ["orders", "users", "events", "ledger", "catalog", "search", "session", "audit", "billing", "cart",
         "profile", "media", "geo", "quotes", "tickets", "feeds", "metrics", "auth", "invoices", "wallet"]


class Raw(str):
    """A scalar written as is (unquoted), to plant YAML 1.1 literals such as `yes`."""


PLAIN = re.compile(r"[A-Za-z/][\w./:=-]*|\d+(\.\d+)?(m|Mi|Gi|Ki|Ti)")
RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Raw)):
        return str(v)
    if PLAIN.fullmatch(v) and v.lower() not in RESERVED and not v.endswith(":"):
        return v
    return json.dumps(v)


def flow(v):
    """`{a: b, c: [d]}`: a collection written on one line, or None if it holds a multi-line string."""
    if isinstance(v, dict):
        items = [(scalar(k), flow(x)) for k, x in v.items()]
        return None if any(x is None for _, x in items) else "{" + ", ".join(f"{k}: {x}" for k, x in items) + "}"
    if isinstance(v, list):
        items = [flow(x) for x in v]
        return None if None in items else "[" + ", ".join(items) + "]"
    return None if isinstance(v, str) and "\n" in v else scalar(v)


def emit(v, indent=0):
    """Block-style YAML with short collections in flow style, as people write it."""
    pad, out = " " * indent, []
    if isinstance(v, dict):
        for k, x in v.items():
            short = flow(x) if isinstance(x, (dict, list)) else None
            if short is not None and len(short) + indent + len(k) < 150:
                out.append(f"{pad}{scalar(k)}: {short}\n")
            elif isinstance(x, (dict, list)):
                out.append(f"{pad}{scalar(k)}:\n{emit(x, indent + 2)}")
            elif isinstance(x, str) and "\n" in x:
                body = "".join(f"{pad}  {line}\n" if line else "\n" for line in x.rstrip("\n").split("\n"))
                out.append(f"{pad}{scalar(k)}: |{'' if x.endswith(chr(10)) else '-'}\n{body}")
            else:
                out.append(f"{pad}{scalar(k)}: {scalar(x)}\n")
    else:
        for x in v:
            short = flow(x)
            if short is not None and (len(short) + indent < 150 or not isinstance(x, (dict, list))):
                out.append(f"{pad}- {short}\n")
            else:
                out.append(f"{pad}- {emit(x, indent + 2)[indent + 2:]}")
    return "".join(out)


def stack(i, seed):
    rng = random.Random(f"stslint-bench:{seed}:{i}")
    bad = lambda k: rng.random() < RATES[k]  # noqa: E731
    eng, image, tags, port, dirs, pw_env, probe, backup, quorum = rng.choices(ENGINES, ENGINE_WEIGHTS)[0]
    team = rng.choice(TEAMS)
    ns = None if bad("no_namespace") else rng.choices(NAMESPACES, NS_WEIGHTS)[0]
    release = f"{rng.choice(WORDS)}-{i}"
    sts, svc, secret = f"{release}-{eng}", f"{release}-{eng}-hl", f"{release}-{eng}"
    chart = f"{eng}-{rng.randint(9, 15)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}"

    def meta(name, labels=None, **extra):
        m = {"name": name} | ({"namespace": ns} if ns else {})
        return m | ({"labels": labels} if labels else {}) | extra

    def labels(name, component):
        sel = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": release}
        pod = sel | {"app.kubernetes.io/component": component}
        return sel, pod, pod | {"app.kubernetes.io/managed-by": "Helm"}

    def sec_ctx(uid):
        return {} if bad("no_security_context") else {"runAsNonRoot": True, "runAsUser": uid, "fsGroup": uid}

    def resources(cpu, mem, limit):
        return {"requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": limit}}

    def obj(api, kind, m, **body):
        return {"apiVersion": api, "kind": kind, "metadata": m} | body

    tag = "latest" if bad("latest") else rng.choice(tags)
    sel, plbl, lbl = labels(eng, "primary")
    replicas = 1 if bad("single_replica") else (rng.choice([2, 4]) if quorum and bad("even_replicas") else 3)
    env = (
        [{"name": pw_env, "value": f"{rng.choice(WORDS)}{rng.randint(1000, 99999)}!"} if bad("literal_password")
         else {"name": pw_env, "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}}] if pw_env else [])
    if eng == "postgresql":
        env.append({"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"})
    ports = [{"name": "tcp", "containerPort": port}]
    check = {"exec": {"command": probe}} if probe else {"tcpSocket": {"port": "tcp"}}
    probes = {} if bad("no_probes") else {
        "livenessProbe": check | {"periodSeconds": 10}, "readinessProbe": check | {"periodSeconds": 5}}
    if probes and rng.random() < 0.75:
        probes = {"startupProbe": check | {"failureThreshold": 30}} | probes
    claims = [d.strip("/").split("/")[-1] or "data" for d in dirs]
    mounts = [{"name": c, "mountPath": d} for c, d in zip(claims, dirs)] + [{"name": "config", "mountPath": "/etc/config"}]
    container = {"name": eng, "image": f"{image}:{tag}", "ports": ports, "env": env,
                 "resources": resources(rng.choice(["250m", "500m", "1"]), rng.choice(["512Mi", "1Gi", "2Gi"]), "4Gi"),
                 "volumeMounts": mounts} | probes
    if not bad("no_security_context"):
        container["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    pod = {"securityContext": sec_ctx(999),
           "terminationGracePeriodSeconds": 10 if bad("short_grace") else 60}
    if not bad("no_anti_affinity"):
        pod["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": sel}, "topologyKey": "kubernetes.io/hostname"}]}}
        if rng.random() < 0.5:
            pod["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                                 "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": sel}}]
    pod |= {"containers": [container], "volumes": [{"name": "config", "configMap": {"name": f"{sts}-config"}}]}
    size = rng.choice(["8Gi", "20Gi", "50Gi", "100Gi", "250Gi"])
    klass = {} if bad("no_class") else {"storageClassName": rng.choice(STORAGE_CLASSES)[0]}
    spec = {"serviceName": svc, "replicas": replicas,
            "podManagementPolicy": "Parallel" if eng in PEERS or bad("parallel") else "OrderedReady",
            "selector": {"matchLabels": sel}}
    if bad("pvc_delete"):
        spec["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    spec |= {"template": {"metadata": {"labels": plbl}, "spec": pod},
             "volumeClaimTemplates": [{"metadata": {"name": c}, "spec": {"accessModes": ["ReadWriteOnce"]} | klass | {
                 "resources": {"requests": {"storage": size}}}} for c in claims]}
    objs = [obj("apps/v1", "StatefulSet", meta(sts, lbl), spec=spec)]
    svc_ports = [{"name": "tcp", "port": port, "targetPort": "tcp"}]
    objs.append(obj("v1", "Service", meta(svc, sel), spec={"clusterIP": "None",
                    "publishNotReadyAddresses": True, "ports": svc_ports, "selector": sel}))
    client_sel = sel | {"app.kubernetes.io/component": "master"} if bad("dangling_service") else sel
    objs.append(obj("v1", "Service", meta(sts, sel), spec={"ports": svc_ports, "selector": client_sel}))
    if not bad("no_pdb"):
        budget = {"maxUnavailable": 0} if bad("pdb_zero") else {"maxUnavailable": 1}
        objs.append(obj("policy/v1", "PodDisruptionBudget", meta(sts, sel), spec=budget | {"selector": {"matchLabels": sel}}))
    if pw_env:
        objs.append(obj("v1", "Secret", meta(secret, sel), type="Opaque", stringData={
            "password": "%032x" % rng.getrandbits(128)}))
    conf = [f"# {eng} settings rendered by chart {chart}"] + [
        f"{k} = {rng.randint(1, 512)}" for k in rng.sample(
            ["max_connections", "shared_buffers_mb", "work_mem_mb", "maintenance_work_mem_mb", "checkpoint_timeout_s",
             "wal_keep_size_mb", "max_wal_senders", "io_threads", "cache_size_mb", "log_retention_hours",
             "segment_bytes_mb", "flush_interval_ms", "tick_time_ms", "heap_mb", "replicas_max"], rng.randint(1, 6))]
    cm_data = {f"{eng}.conf": "\n".join(conf) + "\n", "log_level": rng.choice(["info", "warn", "debug"])}
    if bad("yaml11"):
        cm_data["metrics_enabled"] = Raw("yes")
    objs.append(obj("v1", "ConfigMap", meta(f"{sts}-config", sel), data=cm_data))
    if not bad("no_backup"):
        bsel, blbl, _ = labels(f"{eng}-backup", "backup")
        if backup and rng.random() < 0.7:
            limits = {"limits": {"memory": "512Mi"}} if not bad("cron_no_limits") else {}
            job = {} if bad("unsafe_cron") else {"activeDeadlineSeconds": 3600, "backoffLimit": 2}
            cron = {} if job == {} else {"concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 600}
            cmd = backup.format(pod=f"{sts}-0", svc=svc)
            bc = {"name": "backup", "image": f"{image}:{rng.choice(tags)}", "command": ["/bin/sh", "-c", cmd],
                  "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}} | limits,
                  "volumeMounts": [{"name": "backup", "mountPath": "/backup"}],
                  "securityContext": {"allowPrivilegeEscalation": False}}
            if pw_env:
                var = {"postgresql": "PGPASSWORD", "mysql": "MYSQL_PWD", "mariadb": "MYSQL_PWD"}.get(eng, pw_env)
                bc["env"] = [{"name": var,
                              "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}}]
            objs.append(obj("batch/v1", "CronJob", meta(f"{sts}-backup", bsel), spec={
                "schedule": f"{rng.randint(0, 59)} {rng.randint(0, 5)} * * *"} | cron | {
                "jobTemplate": {"spec": job | {"template": {"metadata": {"labels": blbl}, "spec": {
                    "restartPolicy": "OnFailure", "securityContext": sec_ctx(999), "containers": [bc],
                    "volumes": [{"name": "backup", "persistentVolumeClaim": {"claimName": f"{release}-backups"}}]}}}}}))
        else:
            tmpl = {"includedNamespaces": [ns]} if ns else {}
            objs.append(obj("velero.io/v1", "Schedule", {"name": f"{sts}-daily", "namespace": "velero"}, spec={
                "schedule": f"{rng.randint(0, 59)} {rng.randint(0, 5)} * * *", "template": tmpl | {
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": release}},
                    "snapshotVolumes": True, "ttl": "720h0m0s"}}))
    apps = ["api"] + (["worker"] if rng.random() < RATES["second_app"] else [])
    for app in apps:
        asel, aplbl, albl = labels(app, app)
        name, reps = f"{release}-{app}", rng.choice([2, 3, 4, 6])
        ver = "latest" if bad("latest") else f"{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        c = {"name": app, "image": f"registry.example.com/{team}/{release.rsplit('-', 1)[0]}-{app}:{ver}",
             "ports": [{"name": "http", "containerPort": 8080}],
             "env": [{"name": "DATABASE_URL", "value": f"{eng}://{sts}:{port}/app"}],
             "resources": resources("100m", rng.choice(["128Mi", "256Mi"]), "512Mi"),
             "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
             "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
             "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True}}
        objs.append(obj("apps/v1", "Deployment", meta(name, albl), spec={"replicas": reps, "selector": {"matchLabels": asel},
                        "template": {"metadata": {"labels": aplbl}, "spec": {"securityContext": sec_ctx(1000), "containers": [c]}}}))
        if app == "api":
            objs.append(obj("v1", "Service", meta(name, asel), spec={"ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                            "selector": asel}))
        objs.append(obj("policy/v1", "PodDisruptionBudget", meta(name, asel), spec={"minAvailable": 1, "selector": {"matchLabels": asel}}))
        if rng.random() < RATES["hpa"]:
            objs.append(obj("autoscaling/v2", "HorizontalPodAutoscaler", meta(name, asel), spec={
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                "minReplicas": reps, "maxReplicas": reps * 3, "metrics": [{"type": "Resource", "resource": {
                    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}))
    if bad("db_in_deployment"):
        csel, clbl, _ = labels("redis-cache", "cache")
        objs.append(obj("apps/v1", "Deployment", meta(f"{release}-cache", clbl), spec={"replicas": 1, "selector": {"matchLabels": csel},
                        "template": {"metadata": {"labels": clbl}, "spec": {"containers": [{"name": "redis", "image": "redis:7.2.4",
                         "ports": [{"name": "redis", "containerPort": 6379}], "resources": resources("100m", "256Mi", "512Mi")}]}}}))
    if bad("storage_class"):
        name, prov, params, mode, expand, default = rng.choice(STORAGE_CLASSES)
        ann = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
        objs.insert(0, obj("storage.k8s.io/v1", "StorageClass", {"name": name} | ({"annotations": ann} if ann else {}),
                           provisioner=prov, parameters=params, reclaimPolicy="Retain", volumeBindingMode=mode,
                           allowVolumeExpansion=expand))
    return rng, team, release, objs


def render(i, seed):
    rng, team, release, objs = stack(i, seed)
    cluster = CLUSTERS[i % len(CLUSTERS)]
    base = f"clusters/{cluster}/apps/{team}/{release}"
    roll = rng.random()
    if roll < RATES["as_json"]:
        return base + ".json", json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}, indent=2) + "\n", len(objs)
    if roll < RATES["as_json"] + RATES["as_list"]:
        return base + ".yaml", emit({"apiVersion": "v1", "kind": "List", "items": objs}), len(objs)
    docs = [emit(o) for o in objs]
    return base + (".yml" if roll > 0.95 else ".yaml"), "---\n" + "---\n".join(docs), len(objs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out", type=pathlib.Path)
    a = ap.parse_args()
    total = objects = 0
    for i in range(a.files):
        rel, text, n = render(i, a.seed)
        path = a.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        total, objects = total + len(text.encode()), objects + n
    print(f"files={a.files} objects={objects} bytes={total}")


if __name__ == "__main__":
    main()
