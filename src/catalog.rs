//! What stslint knows about data stores: which image or command runs one, how
//! it bootstraps, whether it votes, and where it keeps its data.
//!
//! This is the one place that lists them. [`container_store`] is the entry
//! point rules use. It reads what the container runs first (`command`, `args`,
//! and the scripts of `sh -c "..."`): a server binary (`redis-server`,
//! `mongod`, `zookeeper-server-start.sh` …) makes it that store whatever the
//! image; a client, a sentinel or an unrelated script makes it no store even
//! from a store's image. Only when neither is clear does the image decide.
//!
//! An image is matched on its repository name (the last path component,
//! without registry, tag or digest), split into words on `-`, `_` and `.`:
//! `docker.io/bitnami/postgresql:16` → `postgresql`; `quay.io/coreos/etcd:v3.5`
//! → `etcd`. Images whose name also says `exporter`, `operator`, `proxy`,
//! `sidecar` and the like are tools around a data store, not the store itself,
//! and are not matched.
//!
//! [`cache_only`] lists the components that keep only caches or state rebuilt
//! from object storage on their volumes (Thanos store gateway, Loki/Mimir
//! ingesters …): they are not data stores, and need no backup.

use k8s_openapi::api::core::v1::Container;

/// How a clustered data store forms its cluster on first start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Ordinal 0 initialises the cluster (primary, first quorum member, first
    /// cluster node) and the others join it: starting them all at once races
    /// that initialisation.
    FromOrdinalZero,
    /// Every member starts the same way and discovers its peers.
    PeerToPeer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataStore {
    /// Display name.
    pub name: &'static str,
    pub bootstrap: Bootstrap,
    /// Decides by majority vote of its members (Raft, ZAB, replica-set
    /// elections, Galera's primary component): an even member count adds no
    /// fault tolerance.
    pub quorum: bool,
    /// The server family (`mysql` for MySQL, MariaDB, Percona, Galera): when a
    /// command runs a server of the image's own family, the image's entry (a
    /// finer variant, with its data directories) is kept.
    pub engine: &'static str,
    /// Default data directories of the image this entry matches; empty when
    /// they depend on configuration stslint cannot see.
    pub dirs: &'static [&'static str],
}

use Bootstrap::*;

const fn ordered(
    name: &'static str,
    engine: &'static str,
    dirs: &'static [&'static str],
) -> DataStore {
    DataStore {
        name,
        bootstrap: FromOrdinalZero,
        quorum: false,
        engine,
        dirs,
    }
}
const fn ordered_quorum(
    name: &'static str,
    engine: &'static str,
    dirs: &'static [&'static str],
) -> DataStore {
    DataStore {
        name,
        bootstrap: FromOrdinalZero,
        quorum: true,
        engine,
        dirs,
    }
}
const fn peer(
    name: &'static str,
    engine: &'static str,
    dirs: &'static [&'static str],
) -> DataStore {
    DataStore {
        name,
        bootstrap: PeerToPeer,
        quorum: false,
        engine,
        dirs,
    }
}
const fn peer_quorum(
    name: &'static str,
    engine: &'static str,
    dirs: &'static [&'static str],
) -> DataStore {
    DataStore {
        name,
        bootstrap: PeerToPeer,
        quorum: true,
        engine,
        dirs,
    }
}

// The stores, one constant each (the image table and the command table share them).

// https://hub.docker.com/_/postgres ("PGDATA … Default: /var/lib/postgresql/data";
// 18+: /var/lib/postgresql/<major>/docker, volume at /var/lib/postgresql).
// Replication has one primary, initialised first.
const POSTGRES: DataStore = ordered("PostgreSQL", "postgres", &["/var/lib/postgresql/data"]);
// https://github.com/zalando/spilo (PGROOT under /home/postgres/pgdata);
// https://patroni.readthedocs.io/ — the first member to take the leader key initialises.
const SPILO: DataStore = ordered("PostgreSQL", "postgres", &["/home/postgres/pgdata"]);
// https://hub.docker.com/_/mysql ("/var/lib/mysql"); async replication from a primary.
const MYSQL: DataStore = ordered("MySQL", "mysql", &["/var/lib/mysql"]);
// https://hub.docker.com/_/mariadb ("/var/lib/mysql").
const MARIADB: DataStore = ordered("MariaDB", "mysql", &["/var/lib/mysql"]);
// https://hub.docker.com/_/percona (Percona Server for MySQL, "/var/lib/mysql").
const PERCONA_SERVER: DataStore = ordered("Percona Server for MySQL", "mysql", &["/var/lib/mysql"]);
// https://docs.percona.com/percona-xtradb-cluster/8.0/bootstrap.html — the first
// node bootstraps the cluster, the others join it; Galera keeps a primary
// component by majority (quorum). Data in /var/lib/mysql
// (https://hub.docker.com/r/percona/percona-xtradb-cluster).
const XTRADB: DataStore = ordered_quorum("Percona XtraDB Cluster", "mysql", &["/var/lib/mysql"]);
// https://github.com/bitnami/containers/tree/main/bitnami/mariadb-galera — the
// first node bootstraps (`MARIADB_GALERA_CLUSTER_BOOTSTRAP`); Galera quorum.
const GALERA: DataStore = ordered_quorum("MariaDB Galera", "mysql", &["/var/lib/mysql"]);
// https://galeracluster.com/library/documentation/starting-cluster.html — any
// other Galera image: the first node starts with `--wsrep-new-cluster`.
const GALERA_CLUSTER: DataStore = ordered_quorum("Galera Cluster", "mysql", &["/var/lib/mysql"]);
// https://hub.docker.com/_/mongo ("/data/db", "/data/configdb"); the replica
// set is initiated on one member and elects by majority.
const MONGO: DataStore = ordered_quorum("MongoDB", "mongodb", &["/data/db"]);
// https://docs.percona.com/percona-server-for-mongodb/ (image
// percona/percona-server-mongodb, same layout as mongo: /data/db).
const PERCONA_MONGO: DataStore =
    ordered_quorum("Percona Server for MongoDB", "mongodb", &["/data/db"]);
// https://hub.docker.com/_/redis ("persistent storage … /data"); replicas follow a primary.
const REDIS: DataStore = ordered("Redis", "redis", &["/data"]);
// https://hub.docker.com/r/valkey/valkey (WORKDIR /data, a Redis fork).
const VALKEY: DataStore = ordered("Valkey", "redis", &["/data"]);
// https://docs.keydb.dev/docs/docker-basics (image eqalpha/keydb, data in /data).
const KEYDB: DataStore = ordered("KeyDB", "redis", &["/data"]);
// https://hub.docker.com/_/zookeeper ("/data", "/datalog"); ZAB majority quorum,
// ensemble formed from server.N entries in order.
const ZOOKEEPER: DataStore = ordered_quorum("ZooKeeper", "zookeeper", &["/data", "/datalog"]);
// https://kubernetes.io/docs/tutorials/stateful-application/zookeeper/ — images
// gcr.io/google_samples/k8szk and registry.k8s.io/kubernetes-zookeeper keep
// data in /var/lib/zookeeper (`--data_dir`).
const K8SZK: DataStore = ordered_quorum("ZooKeeper", "zookeeper", &["/var/lib/zookeeper"]);
// ZooKeeper started from an image of another project (Kafka, Pulsar):
// its dataDir is in a properties file stslint does not read.
const ZOOKEEPER_ELSEWHERE: DataStore = ordered_quorum("ZooKeeper", "zookeeper", &[]);
// https://etcd.io/docs/v3.5/op-guide/configuration/ (`--data-dir`); Raft.
const ETCD: DataStore = ordered_quorum("etcd", "etcd", &["/var/lib/etcd"]);
// https://hub.docker.com/_/rabbitmq ("/var/lib/rabbitmq"); Raft quorum queues,
// nodes join the first (https://www.rabbitmq.com/docs/clustering).
const RABBITMQ: DataStore = ordered_quorum("RabbitMQ", "rabbitmq", &["/var/lib/rabbitmq"]);
// https://hub.docker.com/_/cassandra ("/var/lib/cassandra"); gossip between seeds.
const CASSANDRA: DataStore = peer("Cassandra", "cassandra", &["/var/lib/cassandra"]);
// https://hub.docker.com/r/scylladb/scylla ("/var/lib/scylla").
const SCYLLA: DataStore = peer("ScyllaDB", "cassandra", &["/var/lib/scylla"]);
// https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html
// ("/usr/share/elasticsearch/data"); nodes discover each other.
const ELASTICSEARCH: DataStore = peer(
    "Elasticsearch",
    "elasticsearch",
    &["/usr/share/elasticsearch/data"],
);
// https://opensearch.org/docs/latest/install-and-configure/install-opensearch/docker/
const OPENSEARCH: DataStore = peer("OpenSearch", "opensearch", &["/usr/share/opensearch/data"]);
// Kafka's log.dirs depend on the image (see `data_dirs`).
// https://docs.confluent.io/platform/current/installation/docker/config-reference.html
const KAFKA: DataStore = peer("Kafka", "kafka", &[]);
// https://www.cockroachlabs.com/docs/stable/start-a-local-cluster-in-docker-linux
// ("/cockroach/cockroach-data"); nodes start alike, `cockroach init` once.
const COCKROACH: DataStore = peer("CockroachDB", "cockroach", &["/cockroach/cockroach-data"]);
// https://docs.nats.io/running-a-nats-service/configuration/resource_management
// (JetStream `store_dir`, set on the command line or in a config file).
const NATS: DataStore = peer("NATS", "nats", &[]);
// https://hub.docker.com/_/consul ("/consul/data"); Raft among servers.
const CONSUL: DataStore = peer_quorum("Consul", "consul", &["/consul/data"]);
// https://docs.couchbase.com/server/current/install/getting-started-docker.html
// ("/opt/couchbase/var"); every node starts alike and is added to the cluster.
const COUCHBASE: DataStore = peer("Couchbase", "couchbase", &["/opt/couchbase/var"]);
// https://min.io/docs/minio/kubernetes/upstream/ — `minio server <dirs>`; all
// servers of a distributed set start together (erasure sets, no single leader).
const MINIO: DataStore = peer("MinIO", "minio", &[]);
// https://neo4j.com/docs/operations-manual/current/docker/mounting-volumes/
// ("/data"); cluster primaries discover each other and elect by Raft.
const NEO4J: DataStore = peer_quorum("Neo4j", "neo4j", &["/data"]);
// https://hub.docker.com/r/clickhouse/clickhouse-server ("/var/lib/clickhouse");
// replicas are peers coordinated by Keeper/ZooKeeper.
const CLICKHOUSE: DataStore = peer("ClickHouse", "clickhouse", &["/var/lib/clickhouse"]);
// https://clickhouse.com/docs/guides/sre/keeper/clickhouse-keeper — Raft,
// static member list; storage paths come from its config file.
const CLICKHOUSE_KEEPER: DataStore = peer_quorum("ClickHouse Keeper", "clickhouse-keeper", &[]);
// https://hub.docker.com/_/influxdb ("/var/lib/influxdb2"; 1.x "/var/lib/influxdb").
// The open-source server does not cluster: instances are independent.
const INFLUXDB: DataStore = peer("InfluxDB", "influxdb", &["/var/lib/influxdb2"]);
// https://solr.apache.org/guide/solr/latest/deployment-guide/solr-in-docker.html
// ("/var/solr"); SolrCloud nodes register in ZooKeeper as peers.
const SOLR: DataStore = peer("Solr", "solr", &["/var/solr"]);
// https://bookkeeper.apache.org/docs/getting-started/run-locally/ and
// https://pulsar.apache.org/docs/next/concepts-architecture-overview/ —
// bookies register in ZooKeeper; ensembles are chosen per ledger (no vote).
// Journal/ledger dirs come from bookkeeper.conf.
const BOOKKEEPER: DataStore = peer("BookKeeper", "bookkeeper", &[]);
// https://pulsar.apache.org/docs/next/getting-started-docker/ — standalone
// keeps everything in /pulsar/data.
const PULSAR_STANDALONE: DataStore = peer("Pulsar", "pulsar", &["/pulsar/data"]);
// https://docs.pingcap.com/tidb/stable/command-line-flags-for-tikv-configuration
// (`--data-dir`); stores register with PD, Raft per region (replica count
// per region, not per store count: no whole-cluster vote).
const TIKV: DataStore = peer("TiKV", "tikv", &["/var/lib/tikv"]);
// https://docs.pingcap.com/tidb/stable/command-line-flags-for-pd-configuration
// (`--data-dir`); embedded etcd: the first member initialises, others join; Raft.
const PD: DataStore = ordered_quorum("TiDB PD", "pd", &["/var/lib/pd"]);
// https://vitess.io/docs/reference/programs/vttablet/ — each vttablet manages
// a mysqld under VTDATAROOT (/vt/vtdataroot in the vitess/lite image); tablets
// start alike and a shard primary is elected (vtorc) afterwards.
const VITESS: DataStore = peer("Vitess (vttablet)", "vitess", &["/vt/vtdataroot"]);

/// (image word, data store). Entries are tried in order; the first whose word
/// is one of the image name's words (or the whole name) wins, so specific
/// variants come first.
const STORES: &[(&str, DataStore)] = &[
    ("k8szk", K8SZK),
    ("xtradb", XTRADB),
    ("galera", GALERA_CLUSTER),
    ("spilo", SPILO),
    ("patroni", SPILO),
    ("postgres", POSTGRES),
    ("postgresql", POSTGRES),
    ("postgis", POSTGRES),
    ("timescaledb", POSTGRES),
    // https://hub.docker.com/r/citusdata/citus (built on the postgres image).
    ("citus", POSTGRES),
    ("mysql", MYSQL),
    ("mariadb", MARIADB),
    ("mongo", MONGO),
    ("mongodb", MONGO),
    ("redis", REDIS),
    ("valkey", VALKEY),
    ("keydb", KEYDB),
    ("zookeeper", ZOOKEEPER),
    ("etcd", ETCD),
    ("rabbitmq", RABBITMQ),
    ("cassandra", CASSANDRA),
    ("scylla", SCYLLA),
    ("scylladb", SCYLLA),
    ("elasticsearch", ELASTICSEARCH),
    ("opensearch", OPENSEARCH),
    ("kafka", KAFKA),
    ("cockroach", COCKROACH),
    ("cockroachdb", COCKROACH),
    ("nats", NATS),
    ("consul", CONSUL),
    ("couchbase", COUCHBASE),
    ("minio", MINIO),
    ("neo4j", NEO4J),
    ("clickhouse", CLICKHOUSE),
    ("influxdb", INFLUXDB),
    ("solr", SOLR),
    ("bookkeeper", BOOKKEEPER),
    ("tikv", TIKV),
    ("vttablet", VITESS),
];

/// Names matched only as a whole (as words they are ambiguous or too short).
const WHOLE_NAMES: &[(&str, DataStore)] = &[
    ("mariadb-galera", GALERA),
    ("percona", PERCONA_SERVER),
    ("percona-server", PERCONA_SERVER),
    ("percona-server-mongodb", PERCONA_MONGO),
    ("kubernetes-zookeeper", K8SZK),
    ("clickhouse-keeper", CLICKHOUSE_KEEPER),
    ("pd", PD),
];

/// Repositories whose last path component alone says nothing.
const REPOSITORIES: &[(&str, DataStore)] = &[
    // https://hub.docker.com/r/couchbase/server
    ("couchbase/server", COUCHBASE),
];

/// Words that mark a tool around a data store rather than the store.
const NOT_A_STORE: &[&str] = &[
    "exporter",
    "operator",
    "proxy",
    "sidecar",
    "backup",
    "client",
    "cli",
    "ui",
    "admin",
    "dashboard",
    "web",
    "commander",
    "insight",
    "bouncer",
    "pgbouncer",
    "sentinel",
    "metrics",
    "controller",
    "init",
    "tools",
    "connect",
    "manager",
    "rest",
    "schema",
    "registry",
    "mirrormaker",
    "cruise",
    "agent",
    "browser",
    "express",
    "test",
    "tests",
    "tester",
    "e2e",
];

/// The repository name of an image: no registry, path, tag or digest.
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

/// The image without tag or digest (registry and path kept).
fn image_repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

fn image_tag(image: &str) -> Option<&str> {
    let repo = image_repository(image);
    let rest = image.split('@').next()?.get(repo.len()..)?;
    rest.strip_prefix(':')
}

fn image_words(name: &str) -> Vec<&str> {
    name.split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect()
}

/// Images a project declares as data stores (`images` in `.stslint.yaml`):
/// globs on the image repository (no tag or digest), or on its last path
/// segment when the glob has no `/`.
#[derive(Clone, Debug, Default)]
pub struct ExtraImages {
    /// Bootstrap from ordinal 0.
    pub ordered: Vec<globset::GlobMatcher>,
    pub peer_to_peer: Vec<globset::GlobMatcher>,
}

impl ExtraImages {
    /// Compile the globs (invalid ones were reported when the config was read).
    pub fn new(ordered: &[String], peer_to_peer: &[String]) -> ExtraImages {
        let compile = |globs: &[String]| {
            globs
                .iter()
                .filter_map(|g| {
                    globset::GlobBuilder::new(&g.to_ascii_lowercase())
                        .literal_separator(true)
                        .build()
                        .ok()
                })
                .map(|g| g.compile_matcher())
                .collect()
        };
        ExtraImages {
            ordered: compile(ordered),
            peer_to_peer: compile(peer_to_peer),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty() && self.peer_to_peer.is_empty()
    }

    fn store(&self, image: &str) -> Option<DataStore> {
        let repo = image_repository(image).to_ascii_lowercase();
        let name = image_name(image).to_ascii_lowercase();
        let hit = |globs: &[globset::GlobMatcher]| {
            globs.iter().any(|g| {
                let subject = if g.glob().glob().contains('/') {
                    &repo
                } else {
                    &name
                };
                g.is_match(subject)
            })
        };
        let configured = |bootstrap| DataStore {
            name: "a data store (from .stslint.yaml)",
            bootstrap,
            quorum: false,
            engine: "configured",
            dirs: &[],
        };
        if hit(&self.ordered) {
            Some(configured(FromOrdinalZero))
        } else if hit(&self.peer_to_peer) {
            Some(configured(PeerToPeer))
        } else {
            None
        }
    }
}

thread_local! {
    /// The project's [`ExtraImages`] while a thread reads files for a run.
    static EXTRA: std::cell::RefCell<Option<std::sync::Arc<ExtraImages>>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f` with `extra` consulted by [`data_store`] on this thread (the run
/// sets it around each file it reads, on whichever thread reads it).
pub fn with_extra_images<R>(
    extra: Option<&std::sync::Arc<ExtraImages>>,
    f: impl FnOnce() -> R,
) -> R {
    let Some(extra) = extra.filter(|e| !e.is_empty()) else {
        return f();
    };
    let before = EXTRA.with(|e| e.replace(Some(extra.clone())));
    struct Restore(Option<std::sync::Arc<ExtraImages>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            EXTRA.with(|e| *e.borrow_mut() = before);
        }
    }
    let _restore = Restore(before);
    f()
}

/// The data store an image runs, if stslint knows it (or the project's
/// config names it, see [`with_extra_images`]).
pub fn data_store(image: &str) -> Option<DataStore> {
    if let Some(s) = EXTRA.with(|e| e.borrow().as_ref().and_then(|x| x.store(image))) {
        return Some(s);
    }
    let repo = image_repository(image).to_ascii_lowercase();
    if let Some((_, s)) = REPOSITORIES
        .iter()
        .find(|(r, _)| repo == *r || repo.ends_with(&format!("/{r}")))
    {
        return Some(*s);
    }
    let name = image_name(image).to_ascii_lowercase();
    let words = image_words(&name);
    if words.iter().any(|w| NOT_A_STORE.contains(w)) {
        return None;
    }
    if let Some((_, s)) = WHOLE_NAMES.iter().find(|(k, _)| *k == name) {
        return Some(*s);
    }
    STORES
        .iter()
        .find(|(k, _)| words.contains(k))
        .map(|(_, s)| *s)
}

// ---------------------------------------------------------------------------
// What a container runs.

/// One program invocation: the basename of the program (lowercase) and its
/// arguments. An empty program means "the image's default entrypoint".
#[derive(Debug, Clone, PartialEq, Eq)]
struct Invocation {
    program: String,
    args: Vec<String>,
}

/// What an invocation says about the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Says {
    /// Runs this data store's server.
    Server(DataStore),
    /// Runs something that is not a data store server: a client, a sentinel,
    /// a router, a script that is not a start script.
    Other,
    /// Runs the image's entrypoint or start script, or a binary stslint does
    /// not know: the image decides.
    Image,
    /// A shell utility (echo, sleep, cp …): says nothing by itself.
    Utility,
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"];
const WRAPPERS: &[&str] = &[
    "exec",
    "nohup",
    "tini",
    "dumb-init",
    "env",
    "time",
    "command",
];
const WRAPPERS_WITH_USER: &[&str] = &["gosu", "su-exec", "chpst"];
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case", "esac", "!",
    "{", "}", "in",
];
const UTILITIES: &[&str] = &[
    "echo",
    "printf",
    "sleep",
    "cat",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "chown",
    "chmod",
    "ln",
    "touch",
    "sed",
    "awk",
    "grep",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "set",
    "export",
    "cd",
    "ls",
    "tail",
    "head",
    "trap",
    "wait",
    "nc",
    "wget",
    "curl",
    "source",
    ".",
    "read",
    "exit",
    "return",
    "local",
    "hostname",
    "date",
    "find",
    "xargs",
    "tee",
    "envsubst",
    "sort",
    "cut",
    "tr",
    "expr",
    "let",
    "ulimit",
    "umask",
    "id",
    "whoami",
    "getent",
    "dig",
    "nslookup",
    "ping",
    "jq",
    "yq",
    "base64",
    "openssl",
    "kill",
    "ps",
    "pgrep",
    "sync",
    "stat",
    "readlink",
    "basename",
    "dirname",
    "seq",
    "rsync",
    "tar",
    "gzip",
    "gunzip",
    "install",
    "unset",
    "shift",
    "break",
    "continue",
    "eval",
    "sysctl",
    "mount",
    "df",
    "du",
    "wc",
    "uniq",
    "md5sum",
    "sha256sum",
    "chroot",
    "ip",
    "elasticsearch-plugin",
    "elasticsearch-keystore",
    "opensearch-plugin",
    "rabbitmq-plugins",
];
/// Programs that talk to, manage or route to a data store without being one.
const CLIENTS: &[&str] = &[
    "redis-cli",
    "valkey-cli",
    "keydb-cli",
    "redis-sentinel",
    "valkey-sentinel",
    "keydb-sentinel",
    "psql",
    "pg_dump",
    "pg_dumpall",
    "pg_restore",
    "pg_basebackup",
    "pg_isready",
    "pgbackrest",
    "wal-g",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mariadb-dump",
    "mariadb-admin",
    "xtrabackup",
    "mongo",
    "mongosh",
    "mongos",
    "mongodump",
    "mongorestore",
    "etcdctl",
    "etcdutl",
    "cqlsh",
    "nodetool",
    "rabbitmqctl",
    "rabbitmqadmin",
    "rabbitmq-diagnostics",
    "nats",
    "mc",
    "couchbase-cli",
    "cbq",
    "neo4j-admin",
    "cypher-shell",
    "clickhouse-client",
    "influx",
    "pulsar-admin",
    "pulsar-client",
    "tidb-server",
    "vtgate",
    "vtctld",
    "vtctlclient",
    "vtorc",
    "zkcli.sh",
    "zookeeper-shell.sh",
    "zookeeper-shell",
    "zkcli",
    "kafka-topics.sh",
    "kafka-topics",
    "kafka-configs.sh",
    "kafka-console-consumer.sh",
    "kafka-console-producer.sh",
    "connect-distributed.sh",
    "connect-distributed",
    "kafka-mirror-maker.sh",
    "restic",
    "velero",
];

/// Words in a script's name that make it a start script (it runs the server).
const START_WORDS: &[&str] = &[
    "start",
    "run",
    "entrypoint",
    "launch",
    "boot",
    "server",
    "serve",
    "main",
    "cmd",
    "foreground",
];
/// Words in a script's name that make it something else even if it says "start".
const NOT_START_WORDS: &[&str] = &[
    "sentinel",
    "backup",
    "restore",
    "check",
    "probe",
    "health",
    "ready",
    "readiness",
    "liveness",
    "live",
    "fix",
    "cli",
    "client",
    "init",
    "setup",
    "configure",
    "config",
    "prestop",
    "poststart",
    "exporter",
    "monitor",
    "split",
    "brain",
    "failover",
    "dump",
];

fn basename(p: &str) -> String {
    p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase()
}

fn is_script(program: &str) -> bool {
    [".sh", ".bash", ".py", ".rb", ".pl"]
        .iter()
        .any(|e| program.ends_with(e))
}

fn is_start_script(program: &str) -> bool {
    let stem = program.rsplit_once('.').map_or(program, |(s, _)| s);
    let words: Vec<&str> = stem
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NOT_START_WORDS.contains(w)) {
        return false;
    }
    words.iter().any(|w| START_WORDS.contains(w))
        || words.iter().any(|w| STORES.iter().any(|(k, _)| k == w))
}

/// The first argument that is not a flag.
fn subcommand(args: &[String]) -> Option<&str> {
    args.iter()
        .map(String::as_str)
        .find(|a| !a.starts_with('-'))
}

fn has_flag(args: &[String], flag: &str) -> bool {
    args.iter().any(|a| {
        a == flag
            || a.strip_prefix(flag)
                .is_some_and(|r| r.starts_with('=') && r != "=false")
    })
}

/// What one invocation runs.
fn says(inv: &Invocation) -> Says {
    let p = inv.program.as_str();
    let args = &inv.args;
    let sub = subcommand(args);
    let redis_like = |s: DataStore| {
        if has_flag(args, "--sentinel") {
            Says::Other
        } else {
            Says::Server(s)
        }
    };
    match p {
        "" => {
            if has_flag(args, "--sentinel") {
                Says::Other
            } else {
                Says::Image
            }
        }
        "postgres" | "postmaster" => Says::Server(POSTGRES),
        "pg_ctl" if sub == Some("start") => Says::Server(POSTGRES),
        "patroni" => Says::Server(SPILO),
        "mysqld" | "mysqld_safe" => Says::Server(MYSQL),
        "mariadbd" | "mariadbd-safe" => Says::Server(MARIADB),
        "mongod" => Says::Server(MONGO),
        "redis-server" => redis_like(REDIS),
        "valkey-server" => redis_like(VALKEY),
        "keydb-server" => redis_like(KEYDB),
        "kafka-server-start.sh" | "kafka-server-start" => Says::Server(KAFKA),
        "zookeeper-server-start.sh"
        | "zookeeper-server-start"
        | "zkserver.sh"
        | "zkserver"
        | "start-zookeeper" => Says::Server(ZOOKEEPER_ELSEWHERE),
        "elasticsearch" => Says::Server(ELASTICSEARCH),
        "opensearch" => Says::Server(OPENSEARCH),
        "etcd" => match sub {
            Some("grpc-proxy" | "gateway") => Says::Other,
            _ => Says::Server(ETCD),
        },
        "cockroach" => match sub {
            Some("start" | "start-single-node") => Says::Server(COCKROACH),
            _ => Says::Other,
        },
        "minio" => match sub {
            Some("server") => Says::Server(MINIO),
            _ => Says::Other,
        },
        "cassandra" => Says::Server(CASSANDRA),
        "scylla" => Says::Server(SCYLLA),
        "rabbitmq-server" => Says::Server(RABBITMQ),
        "nats-server" | "gnatsd" | "nats-streaming-server" => Says::Server(NATS),
        "consul" => match sub {
            Some("agent") if has_flag(args, "-server") || has_flag(args, "--server") => {
                Says::Server(CONSUL)
            }
            _ => Says::Other,
        },
        "couchbase-server" => Says::Server(COUCHBASE),
        "neo4j" => match sub {
            Some("console" | "start") | None => Says::Server(NEO4J),
            _ => Says::Other,
        },
        "clickhouse-server" => Says::Server(CLICKHOUSE),
        "clickhouse-keeper" => Says::Server(CLICKHOUSE_KEEPER),
        "clickhouse" => match sub {
            Some("server") => Says::Server(CLICKHOUSE),
            Some("keeper") => Says::Server(CLICKHOUSE_KEEPER),
            _ => Says::Other,
        },
        "influxd" => Says::Server(INFLUXDB),
        "solr-foreground" | "solr-precreate" | "solr-fg" => Says::Server(SOLR),
        "solr" => match sub {
            Some("start") => Says::Server(SOLR),
            _ => Says::Other,
        },
        "pulsar" => match sub {
            Some("bookie") => Says::Server(BOOKKEEPER),
            Some("zookeeper" | "configuration-store" | "global-zookeeper") => {
                Says::Server(ZOOKEEPER_ELSEWHERE)
            }
            Some("standalone") => Says::Server(PULSAR_STANDALONE),
            _ => Says::Other,
        },
        "bookkeeper" => match sub {
            Some("bookie") => Says::Server(BOOKKEEPER),
            _ => Says::Other,
        },
        "tikv-server" => Says::Server(TIKV),
        "pd-server" => Says::Server(PD),
        "vttablet" | "mysqlctld" => Says::Server(VITESS),
        _ if CLIENTS.contains(&p) => Says::Other,
        _ if p.starts_with("kafka-") && p.ends_with(".sh") => Says::Other,
        _ if UTILITIES.contains(&p) => Says::Utility,
        _ if is_script(p) || p == "run" || p == "entrypoint" || p == "docker-entrypoint" => {
            if is_start_script(p) {
                Says::Image
            } else {
                Says::Other
            }
        }
        _ => Says::Image,
    }
}

/// Splits a shell script into simple commands (words), loosely: quotes and
/// escapes are honoured, `;`, `&`, `|`, newlines, parentheses and backquotes
/// end a command, `#` starts a comment.
fn script_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    in_word = true;
                    word.push(n);
                }
            },
            '#' if !in_word => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                end_word(&mut word, &mut in_word, &mut words);
                commands.push(std::mem::take(&mut words));
            }
            ';' | '&' | '|' | '\n' | '(' | ')' | '`' => {
                end_word(&mut word, &mut in_word, &mut words);
                commands.push(std::mem::take(&mut words));
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut words),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut words);
    commands.push(words);
    commands.retain(|c| !c.is_empty());
    commands
}

/// The invocations an argv runs (wrappers, shells and entrypoints unwrapped).
fn expand(argv: &[String], depth: usize, out: &mut Vec<Invocation>) {
    if depth > 4 {
        return;
    }
    let mut i = 0;
    // Skip keywords, assignments and wrappers.
    while let Some(a) = argv.get(i) {
        let b = basename(a);
        let assignment = a
            .split_once('=')
            .is_some_and(|(k, _)| !k.is_empty() && !k.starts_with('-') && !k.contains('/'));
        if KEYWORDS.contains(&b.as_str()) || assignment || b == "--" {
            i += 1;
        } else if WRAPPERS.contains(&b.as_str()) {
            i += 1;
            while argv.get(i).is_some_and(|a| a.starts_with('-') && a != "--") {
                i += 1;
            }
        } else if WRAPPERS_WITH_USER.contains(&b.as_str()) {
            i += 2;
        } else {
            break;
        }
    }
    let Some(first) = argv.get(i) else { return };
    let program = basename(first);
    let rest = &argv[i + 1..];
    if SHELLS.contains(&program.as_str()) {
        let mut j = 0;
        let mut has_c = false;
        while let Some(a) = rest.get(j).filter(|a| a.starts_with('-') && a.len() > 1) {
            let short = !a.starts_with("--");
            has_c |= short && a.contains('c');
            // `-o pipefail` takes an option name.
            j += if short && a.ends_with('o') { 2 } else { 1 };
        }
        if has_c {
            if let Some(script) = rest.get(j) {
                for cmd in script_commands(script) {
                    expand(&cmd, depth + 1, out);
                }
            }
        } else if rest.get(j).is_some() {
            // `sh script.sh args`
            expand(&rest[j..], depth + 1, out);
        }
        return;
    }
    let inv = Invocation {
        program,
        args: rest.to_vec(),
    };
    // An entrypoint or wrapper script runs its arguments
    // (`docker-entrypoint.sh mongod`, `/conf/fix-ip.sh redis-server …`).
    let entrypoint = is_start_script_like(&inv.program);
    let script = is_script(&inv.program);
    out.push(inv);
    if rest.first().is_none_or(|a| a.starts_with('-')) {
        return;
    }
    if entrypoint {
        expand(rest, depth + 1, out);
    } else if script {
        // Another script counts its arguments only when they run a server
        // (`backup.sh mydb` does not make `mydb` a program).
        let mut inner = Vec::new();
        expand(rest, depth + 1, &mut inner);
        out.extend(
            inner
                .into_iter()
                .filter(|i| matches!(says(i), Says::Server(_))),
        );
    }
}

fn is_start_script_like(program: &str) -> bool {
    (is_script(program)
        || program == "run"
        || program == "entrypoint"
        || program == "docker-entrypoint")
        && is_start_script(program)
}

fn argv(c: &Container) -> Vec<String> {
    let mut v: Vec<String> = c.command.clone().unwrap_or_default();
    v.extend(c.args.clone().unwrap_or_default());
    v
}

fn invocations(c: &Container) -> Vec<Invocation> {
    let mut out = Vec::new();
    let command = c.command.as_deref().unwrap_or_default();
    let args = c.args.as_deref().unwrap_or_default();
    if command.is_empty() && args.first().is_some_and(|a| a.starts_with('-')) {
        // Flags for the image's own entrypoint.
        out.push(Invocation {
            program: String::new(),
            args: args.to_vec(),
        });
        return out;
    }
    expand(&argv(c), 0, &mut out);
    out
}

/// What the container runs, decided from its command and args.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runs {
    Server(DataStore),
    Other,
    Image,
}

fn runs(c: &Container) -> Runs {
    let invs = invocations(c);
    if invs.is_empty() {
        return Runs::Image;
    }
    let said: Vec<Says> = invs.iter().map(says).collect();
    if let Some(Says::Server(s)) = said.iter().find(|s| matches!(s, Says::Server(_))) {
        return Runs::Server(*s);
    }
    if said.contains(&Says::Image) {
        return Runs::Image;
    }
    // Only clients, unrelated scripts and utilities (`sleep infinity`).
    Runs::Other
}

/// The data store a container runs, if stslint knows it: from what it runs
/// (command, args, `sh -c` scripts), else from its image.
pub fn container_store(c: &Container) -> Option<DataStore> {
    let image = c.image.as_deref().and_then(data_store);
    match runs(c) {
        Runs::Server(s) => match image {
            Some(i) if i.engine == s.engine => Some(i),
            _ => Some(s),
        },
        Runs::Other => None,
        Runs::Image => image,
    }
    .filter(|s| !not_a_data_node(c, s))
}

/// Elasticsearch/OpenSearch coordinating-only nodes hold no data.
fn not_a_data_node(c: &Container, s: &DataStore) -> bool {
    if !matches!(s.engine, "elasticsearch" | "opensearch") {
        return false;
    }
    let env = |k: &str| {
        c.env
            .iter()
            .flatten()
            .find(|e| e.name == k)
            .and_then(|e| e.value.as_deref())
            .map(str::to_ascii_lowercase)
    };
    if let Some(roles) = env("node.roles") {
        return !roles.split(',').any(|r| {
            matches!(r.trim(), "data" | "master" | "cluster_manager")
                || r.trim().starts_with("data_")
        });
    }
    env("node.data").as_deref() == Some("false")
        && matches!(env("node.master").as_deref(), Some("false"))
}

// ---------------------------------------------------------------------------
// Data directories.

/// Where a data directory was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirSource {
    /// The image's documented default.
    Default,
    /// A command-line flag or positional argument (named).
    Argument(String),
    /// An environment variable (named).
    Env(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    pub path: String,
    pub source: DirSource,
}

impl DataDir {
    /// Set explicitly on the container (not a default).
    pub fn explicit(&self) -> bool {
        self.source != DirSource::Default
    }
}

fn env_value<'c>(c: &'c Container, name: &str) -> Option<&'c str> {
    c.env
        .iter()
        .flatten()
        .rev()
        .find(|e| e.name == name)
        .and_then(|e| e.value.as_deref())
}

/// All words the container runs with (argv and the words of its scripts).
fn all_words(c: &Container) -> Vec<String> {
    let mut words = Vec::new();
    for inv in invocations(c) {
        words.push(inv.program);
        words.extend(inv.args);
    }
    words
}

/// The value of `flag` among words: `--flag=v`, `--flag v`.
fn flag_values(words: &[String], flag: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if let Some(v) = w.strip_prefix(flag) {
            if let Some(v) = v.strip_prefix('=') {
                out.push(v.to_string());
            } else if v.is_empty() {
                if let Some(n) = words.get(i + 1) {
                    out.push(n.clone());
                }
            }
        }
    }
    out
}

/// `{1...4}` ranges in MinIO paths, expanded.
fn expand_ellipses(p: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (p.find('{'), p.find('}')) else {
        return vec![p.to_string()];
    };
    if close < open {
        return vec![p.to_string()];
    }
    let inner = &p[open + 1..close];
    let Some((a, b)) = inner.split_once("...") else {
        return vec![p.to_string()];
    };
    let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
        return vec![p.to_string()];
    };
    if b < a || b - a > 64 {
        return vec![p.to_string()];
    }
    (a..=b)
        .flat_map(|n| expand_ellipses(&format!("{}{n}{}", &p[..open], &p[close + 1..])))
        .collect()
}

fn minio_dirs(words: &[String]) -> Vec<String> {
    let Some(at) = words.iter().position(|w| w == "server") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = at + 1;
    while let Some(w) = words.get(i) {
        if w.starts_with('-') {
            // `--address :9000`, `--console-address :9001`
            i += if w.contains('=') { 1 } else { 2 };
            continue;
        }
        let path = match w.split_once("://") {
            Some((_, rest)) => rest.find('/').map(|s| &rest[s..]).unwrap_or(""),
            None => w.as_str(),
        };
        if path.starts_with('/') {
            out.extend(expand_ellipses(path));
        }
        i += 1;
    }
    out
}

fn is_bitnami(image: &str) -> bool {
    image_repository(image)
        .split('/')
        .any(|p| p.to_ascii_lowercase().starts_with("bitnami"))
}

/// The data directories of `store` in container `c`: set on the command line
/// or in env when they are, else the image's documented default. Empty when
/// they depend on configuration stslint cannot see, or hold a variable.
pub fn data_dirs(c: &Container, store: &DataStore) -> Vec<DataDir> {
    let words = all_words(c);
    let mut explicit: Vec<DataDir> = Vec::new();
    let arg = |flag: &str, split: bool, out: &mut Vec<DataDir>| {
        for v in flag_values(&words, flag) {
            let parts: Vec<String> = if split {
                v.split(',').map(str::to_string).collect()
            } else {
                vec![v]
            };
            for p in parts {
                out.push(DataDir {
                    path: p,
                    source: DirSource::Argument(flag.to_string()),
                });
            }
        }
    };
    let env = |name: &str, split: bool, out: &mut Vec<DataDir>| {
        if let Some(v) = env_value(c, name) {
            for p in v.split(if split { ',' } else { '\0' }) {
                out.push(DataDir {
                    path: p.trim().to_string(),
                    source: DirSource::Env(name.to_string()),
                });
            }
        }
    };
    match store.engine {
        "postgres" => {
            env("PGDATA", false, &mut explicit);
            env("PATRONI_POSTGRESQL_DATA_DIR", false, &mut explicit);
            arg("-D", false, &mut explicit);
            arg("--pgdata", false, &mut explicit);
        }
        "mysql" => arg("--datadir", false, &mut explicit),
        "mongodb" => arg("--dbpath", false, &mut explicit),
        "redis" => arg("--dir", false, &mut explicit),
        "zookeeper" => {
            env("ZOO_DATA_DIR", false, &mut explicit);
            env("ZOO_DATA_LOG_DIR", false, &mut explicit);
            env("ZK_DATA_DIR", false, &mut explicit);
            env("ZK_DATA_LOG_DIR", false, &mut explicit);
            arg("--data_dir", false, &mut explicit);
            arg("--data_log_dir", false, &mut explicit);
        }
        "etcd" | "tikv" | "pd" => {
            env("ETCD_DATA_DIR", false, &mut explicit);
            arg("--data-dir", false, &mut explicit);
            arg("-data-dir", false, &mut explicit);
            arg("--wal-dir", false, &mut explicit);
        }
        "elasticsearch" | "opensearch" => {
            env("path.data", true, &mut explicit);
            arg("-Epath.data", true, &mut explicit);
        }
        "kafka" => {
            env("KAFKA_LOG_DIRS", true, &mut explicit);
            env("KAFKA_CFG_LOG_DIRS", true, &mut explicit);
        }
        "cockroach" => {
            for v in flag_values(&words, "--store")
                .into_iter()
                .chain(flag_values(&words, "-s"))
            {
                let path = v
                    .split(',')
                    .find_map(|kv| kv.strip_prefix("path="))
                    .map(str::to_string)
                    .or_else(|| (!v.contains('=')).then(|| v.clone()));
                if let Some(p) = path {
                    explicit.push(DataDir {
                        path: p,
                        source: DirSource::Argument("--store".into()),
                    });
                }
            }
        }
        "nats" => {
            arg("--store_dir", false, &mut explicit);
            arg("-sd", false, &mut explicit);
        }
        "consul" => {
            arg("-data-dir", false, &mut explicit);
            arg("--data-dir", false, &mut explicit);
        }
        "minio" => {
            for p in minio_dirs(&words) {
                explicit.push(DataDir {
                    path: p,
                    source: DirSource::Argument("minio server".into()),
                });
            }
            env("MINIO_VOLUMES", false, &mut explicit);
        }
        "rabbitmq" => env("RABBITMQ_MNESIA_BASE", false, &mut explicit),
        "neo4j" => {
            env("NEO4J_server_directories_data", false, &mut explicit);
            env("NEO4J_dbms_directories_data", false, &mut explicit);
        }
        "influxdb" => {
            env("INFLUXD_BOLT_PATH", false, &mut explicit);
            env("INFLUXD_ENGINE_PATH", false, &mut explicit);
        }
        "vitess" => env("VTDATAROOT", false, &mut explicit),
        _ => {}
    }
    explicit.retain(|d| !d.path.is_empty());
    if !explicit.is_empty() {
        // A variable in the path: the directory is unknown.
        if explicit
            .iter()
            .any(|d| d.path.contains('$') || !d.path.starts_with('/'))
        {
            return Vec::new();
        }
        return explicit;
    }
    default_dirs(c, store)
        .into_iter()
        .map(|path| DataDir {
            path,
            source: DirSource::Default,
        })
        .collect()
}

fn default_dirs(c: &Container, store: &DataStore) -> Vec<String> {
    let Some(image) = c.image.as_deref() else {
        return Vec::new();
    };
    // The default belongs to the image: a store started from another
    // project's image keeps its data where that image's config says.
    let Some(from_image) = data_store(image) else {
        return Vec::new();
    };
    if from_image.engine != store.engine {
        return Vec::new();
    }
    let name = image_name(image).to_ascii_lowercase();
    let repo = image_repository(image).to_ascii_lowercase();
    if is_bitnami(image) {
        // https://github.com/bitnami/containers — data under /bitnami/<name>.
        let dir = match store.engine {
            "postgres" => "/bitnami/postgresql",
            "mysql" if name.contains("mariadb") => "/bitnami/mariadb",
            "mysql" => "/bitnami/mysql",
            "mongodb" => "/bitnami/mongodb",
            "redis" if name.contains("valkey") => "/bitnami/valkey",
            "redis" => "/bitnami/redis",
            "elasticsearch" => "/bitnami/elasticsearch",
            "opensearch" => "/bitnami/opensearch",
            "rabbitmq" => "/bitnami/rabbitmq",
            "cassandra" => "/bitnami/cassandra",
            "kafka" => "/bitnami/kafka",
            "zookeeper" => "/bitnami/zookeeper",
            "etcd" => "/bitnami/etcd",
            "consul" => "/bitnami/consul",
            "minio" => "/bitnami/minio/data",
            "neo4j" => "/bitnami/neo4j",
            "clickhouse" => "/bitnami/clickhouse",
            "influxdb" => "/bitnami/influxdb",
            "solr" => "/bitnami/solr",
            _ => return Vec::new(),
        };
        return vec![dir.to_string()];
    }
    match store.engine {
        "postgres" if from_image.dirs == POSTGRES.dirs => {
            // 18+: /var/lib/postgresql/<major>/docker (the volume goes at
            // /var/lib/postgresql); an unknown tag keeps the older default,
            // which a volume at either path covers.
            let major = image_tag(image)
                .and_then(|t| t.split(|ch: char| !ch.is_ascii_digit()).next())
                .and_then(|m| m.parse::<u32>().ok());
            match major {
                Some(m) if m >= 18 => vec![format!("/var/lib/postgresql/{m}/docker")],
                _ => vec!["/var/lib/postgresql/data".into()],
            }
        }
        "kafka" => {
            let dir = if repo.contains("confluentinc") || name.starts_with("cp-") {
                // https://docs.confluent.io/platform/current/installation/docker/operations/external-volumes.html
                "/var/lib/kafka/data"
            } else if repo.contains("strimzi") {
                // https://strimzi.io/docs/operators/latest/configuring (/var/lib/kafka)
                "/var/lib/kafka"
            } else if repo.contains("wurstmeister") {
                // https://github.com/wurstmeister/kafka-docker (/kafka)
                "/kafka"
            } else {
                return Vec::new();
            };
            vec![dir.to_string()]
        }
        "influxdb" => {
            let v1 = image_tag(image).is_some_and(|t| t.starts_with("1."));
            vec![if v1 {
                "/var/lib/influxdb"
            } else {
                "/var/lib/influxdb2"
            }
            .to_string()]
        }
        _ => from_image.dirs.iter().map(|d| d.to_string()).collect(),
    }
}

/// Whether a Redis-family server runs with persistence off: a cache, whose
/// data is disposable by design. Command-line flags (`--save ""`,
/// `--appendonly yes|no`) win over configuration files; `configs` are the
/// texts of files the pod may load (the data of its ConfigMaps): a redis.conf
/// among them with `save ""` and no `appendonly yes` turns persistence off.
/// Without either, Redis keeps its default RDB snapshots: persistence on.
pub fn persistence_disabled(c: &Container, store: &DataStore, configs: &[&str]) -> bool {
    persistence_by_flags(c, store).unwrap_or_else(|| {
        configs
            .iter()
            .filter_map(|text| redis_conf_persistence(text))
            .any(|on| !on)
    })
}

/// What [`persistence_disabled`] decides from the server and its flags alone:
/// `None` when that is left to configuration files (a Redis-family server
/// with no `--save`, `--save=` or `--appendonly yes`), which turn persistence
/// off when one of them says so ([`redis_conf_persistence`] is `Some(false)`).
pub fn persistence_by_flags(c: &Container, store: &DataStore) -> Option<bool> {
    if store.engine != "redis" {
        return Some(false);
    }
    let words = all_words(c);
    let aof = flag_values(&words, "--appendonly");
    if aof.iter().any(|v| v.eq_ignore_ascii_case("yes")) {
        return Some(false);
    }
    let save: Vec<&String> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| *w == "--save")
        .filter_map(|(i, _)| words.get(i + 1))
        .collect();
    let save_off = |v: &str| v.is_empty() || v == "\"\"" || v == "''";
    if let Some(last) = save.last() {
        return Some(save_off(last));
    }
    if words.iter().any(|w| w == "--save=") {
        return Some(true);
    }
    None
}

/// Persistence according to a redis.conf text: `None` when the text sets
/// neither `save` nor `appendonly` (not a redis.conf, or defaults).
pub fn redis_conf_persistence(text: &str) -> Option<bool> {
    let mut save = None;
    let mut aof = None;
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(key), value) = (parts.next(), parts.next()) else {
            continue;
        };
        let value = value.unwrap_or("");
        match key.to_ascii_lowercase().as_str() {
            "save" => {
                let off = value.is_empty() || value == "\"\"" || value == "''";
                // `save ""` resets; later `save 900 1` lines add points again.
                save = Some(!off);
            }
            "appendonly" => aof = Some(value.eq_ignore_ascii_case("yes")),
            _ => {}
        }
    }
    match (save, aof) {
        (None, None) => None,
        (s, a) => Some(s.unwrap_or(true) || a.unwrap_or(false)),
    }
}

// ---------------------------------------------------------------------------
// Components with only caches or rebuildable state on their volumes.

/// A component whose volumes hold only caches or state it rebuilds (from
/// object storage, or from replicas that flush there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheOnly {
    /// e.g. "Thanos store gateway"
    pub name: &'static str,
    /// Why its volume needs no backup.
    pub why: &'static str,
}

// Thanos: https://thanos.io/tip/components/store.md/ (the store gateway keeps
// "a small amount of information about all remote blocks on local disk",
// rebuilt from the bucket) and https://thanos.io/tip/components/compact.md/
// (the compactor's disk is scratch space). Receive and Ruler are NOT listed:
// they hold TSDB blocks not yet uploaded (up to 2h) that exist nowhere else.
const THANOS: &[(&str, CacheOnly)] = &[
    (
        "store",
        CacheOnly {
            name: "Thanos store gateway",
            why: "it caches index headers of blocks kept in object storage",
        },
    ),
    (
        "compact",
        CacheOnly {
            name: "Thanos compactor",
            why: "its disk is scratch space; blocks live in object storage",
        },
    ),
];

// Loki: https://grafana.com/docs/loki/latest/get-started/components/ —
// ingesters replicate (replication_factor 3) and flush chunks to object
// storage, their WAL only bridges restarts; index gateways, compactors and
// the `write`/`backend` targets of the simple scalable mode hold caches and
// scratch state. Mimir: https://grafana.com/docs/mimir/latest/references/architecture/components/
// Cortex: https://cortexmetrics.io/docs/architecture/
// Tempo: https://grafana.com/docs/tempo/latest/operations/architecture/
// Microservice targets require object storage; the single-binary `all`
// target (which may keep everything on the filesystem) is not listed.
const TARGETS: &[&str] = &[
    "ingester",
    "store-gateway",
    "compactor",
    "index-gateway",
    "write",
    "backend",
    "querier",
    "query-frontend",
    "query-scheduler",
    "distributor",
    "metrics-generator",
];

/// The component a container runs if its volumes hold only caches or state
/// rebuilt from object storage (so a backup of them is pointless).
pub fn cache_only(c: &Container) -> Option<CacheOnly> {
    let image = c.image.as_deref()?;
    let name = image_name(image).to_ascii_lowercase();
    let words = image_words(&name);
    let argv = argv(c);
    if words.contains(&"thanos") {
        let sub = argv
            .iter()
            .map(|a| basename(a))
            .find(|a| !a.starts_with('-') && a.as_str() != "thanos")?;
        return THANOS.iter().find(|(s, _)| *s == sub).map(|(_, c)| *c);
    }
    let project = ["loki", "mimir", "cortex", "tempo"]
        .into_iter()
        .find(|p| words.contains(p))?;
    let targets = flag_values(&argv, "-target")
        .into_iter()
        .chain(flag_values(&argv, "--target"))
        .next()?;
    let all_listed = targets.split(',').all(|t| TARGETS.contains(&t.trim()));
    if !all_listed {
        return None;
    }
    let name = match project {
        "loki" => "Loki",
        "mimir" => "Mimir",
        "cortex" => "Cortex",
        _ => "Tempo",
    };
    Some(CacheOnly {
        name,
        why: "its volume holds a WAL and caches of data that is replicated and flushed to object storage",
    })
}

/// The list, for docs: (image word, store).
pub fn stores() -> impl Iterator<Item = (&'static str, DataStore)> {
    STORES.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(image: &str) -> Option<&'static str> {
        data_store(image).map(|s| s.name)
    }

    fn container(image: &str, command: &[&str], args: &[&str]) -> Container {
        let v = |s: &[&str]| (!s.is_empty()).then(|| s.iter().map(|x| x.to_string()).collect());
        Container {
            name: "c".into(),
            image: Some(image.into()),
            command: v(command),
            args: v(args),
            ..Default::default()
        }
    }

    fn runs_store(image: &str, command: &[&str], args: &[&str]) -> Option<&'static str> {
        container_store(&container(image, command, args)).map(|s| s.name)
    }

    fn dirs(c: &Container) -> Vec<String> {
        let Some(s) = container_store(c) else {
            return vec!["<no store>".into()];
        };
        data_dirs(c, &s).into_iter().map(|d| d.path).collect()
    }

    #[test]
    fn matches_on_the_repository_name_whatever_the_registry_or_tag() {
        assert_eq!(store("postgres:15"), Some("PostgreSQL"));
        assert_eq!(
            store("docker.io/bitnami/postgresql:16.2.0-debian-12-r0"),
            Some("PostgreSQL")
        );
        assert_eq!(
            store("registry.example.com:5000/team/mysql@sha256:abcd"),
            Some("MySQL")
        );
        assert_eq!(store("quay.io/coreos/etcd:v3.5.9"), Some("etcd"));
        assert_eq!(store("mongo"), Some("MongoDB"));
        assert_eq!(
            store("percona/percona-server-mongodb:6.0"),
            Some("Percona Server for MongoDB")
        );
        assert_eq!(store("bitnami/redis-cluster:7"), Some("Redis"));
        assert_eq!(store("cassandra:4"), Some("Cassandra"));
        assert_eq!(store("confluentinc/cp-kafka:7.5.0"), Some("Kafka"));
    }

    #[test]
    fn new_stores_by_image() {
        for (image, name) in [
            ("couchbase/server:7.2.4", "Couchbase"),
            ("couchbase:enterprise", "Couchbase"),
            ("minio/minio:RELEASE.2024-01-01T00-00-00Z", "MinIO"),
            ("neo4j:5", "Neo4j"),
            ("clickhouse/clickhouse-server:24.3", "ClickHouse"),
            ("clickhouse/clickhouse-keeper:24.3", "ClickHouse Keeper"),
            ("influxdb:2.7", "InfluxDB"),
            ("solr:9", "Solr"),
            ("apache/bookkeeper:4.16", "BookKeeper"),
            ("pingcap/tikv:v7.5.0", "TiKV"),
            ("pingcap/pd:v7.5.0", "TiDB PD"),
            ("vitess/vttablet:v19", "Vitess (vttablet)"),
            ("valkey/valkey:8", "Valkey"),
            ("eqalpha/keydb:latest", "KeyDB"),
            (
                "percona/percona-xtradb-cluster:8.0",
                "Percona XtraDB Cluster",
            ),
            ("percona:8.0", "Percona Server for MySQL"),
            ("percona/percona-server:8.0", "Percona Server for MySQL"),
            ("bitnami/mariadb-galera:11", "MariaDB Galera"),
            ("gcr.io/google_samples/k8szk:v3", "ZooKeeper"),
            (
                "gcr.io/google_containers/mysql-galera:e2e",
                "Galera Cluster",
            ),
            (
                "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
                "ZooKeeper",
            ),
            ("citusdata/citus:12", "PostgreSQL"),
        ] {
            assert_eq!(store(image), Some(name), "{image}");
        }
        // Stateless layers and multi-purpose images need a command.
        assert_eq!(store("pingcap/tidb:v7.5.0"), None);
        assert_eq!(store("apachepulsar/pulsar:3.2"), None);
        assert_eq!(store("vitess/lite:v19"), None);
        assert_eq!(store("minio/mc"), None);
    }

    #[test]
    fn tools_around_a_store_are_not_the_store() {
        assert_eq!(store("prometheuscommunity/postgres-exporter"), None);
        assert_eq!(store("oliver006/redis_exporter:v1.55.0"), None);
        assert_eq!(store("cvallance/mongo-k8s-sidecar"), None);
        assert_eq!(store("bitnami/pgbouncer"), None);
        assert_eq!(store("nginx:1.25"), None);
        assert_eq!(store("postgresql-operator"), None);
        assert_eq!(store("k8s.gcr.io/etcd-statefulset-e2e-test:0.0"), None);
        assert_eq!(store("percona/percona-server-mongodb-operator:1.15"), None);
    }

    #[test]
    fn quorum_stores() {
        for (image, quorum) in [
            ("etcd", true),
            ("zookeeper", true),
            ("consul", true),
            ("rabbitmq", true),
            ("mongo", true),
            ("postgres", false),
            ("kafka", false),
            ("percona/percona-xtradb-cluster", true),
            ("bitnami/mariadb-galera", true),
            ("neo4j", true),
            ("pingcap/pd", true),
            ("pingcap/tikv", false),
            ("clickhouse/clickhouse-server", false),
            ("couchbase/server", false),
        ] {
            assert_eq!(data_store(image).unwrap().quorum, quorum, "{image}");
        }
    }

    #[test]
    fn bootstrap_kinds() {
        for (image, kind) in [
            ("postgres", Bootstrap::FromOrdinalZero),
            ("elasticsearch:8", Bootstrap::PeerToPeer),
            ("percona/percona-xtradb-cluster", Bootstrap::FromOrdinalZero),
            ("bitnami/mariadb-galera", Bootstrap::FromOrdinalZero),
            ("k8szk", Bootstrap::FromOrdinalZero),
            ("minio/minio", Bootstrap::PeerToPeer),
            ("couchbase/server", Bootstrap::PeerToPeer),
            ("pingcap/tikv", Bootstrap::PeerToPeer),
            ("pingcap/pd", Bootstrap::FromOrdinalZero),
        ] {
            assert_eq!(data_store(image).unwrap().bootstrap, kind, "{image}");
        }
    }

    #[test]
    fn zookeeper_from_a_kafka_image_is_zookeeper() {
        for (command, args) in [
            (
                vec!["zookeeper-server-start.sh"],
                vec!["config/zookeeper.properties"],
            ),
            (
                vec!["sh", "-c"],
                vec!["./bin/zookeeper-server-start.sh config/zookeeper.properties"],
            ),
            (
                vec![
                    "/opt/kafka/bin/zookeeper-server-start.sh",
                    "/etc/kafka/zookeeper.properties",
                ],
                vec![],
            ),
            (vec!["zkServer.sh", "start-foreground"], vec![]),
            (
                vec![
                    "bash",
                    "-ec",
                    "set -e\nexport X=1\nexec zkServer.sh start-foreground",
                ],
                vec![],
            ),
        ] {
            let s = container_store(&container("solsson/kafka:2.8", &command, &args));
            let s = s.unwrap_or_else(|| panic!("{command:?} {args:?}"));
            assert_eq!(s.name, "ZooKeeper");
            assert!(s.quorum);
            assert_eq!(s.bootstrap, Bootstrap::FromOrdinalZero);
        }
        assert_eq!(
            runs_store(
                "gcr.io/google_samples/k8szk:v3",
                &["sh", "-c", "start-zookeeper --servers=3"],
                &[]
            ),
            Some("ZooKeeper")
        );
        // The Kafka broker itself, from the same image.
        assert_eq!(
            runs_store(
                "solsson/kafka:2.8",
                &["./bin/kafka-server-start.sh", "config/server.properties"],
                &[]
            ),
            Some("Kafka")
        );
    }

    #[test]
    fn clients_scripts_and_sentinels_are_not_the_store() {
        for (command, args) in [
            (vec!["sh"], vec!["/readonly-config/fix-split-brain.sh"]),
            (vec!["redis-sentinel", "/data/conf/sentinel.conf"], vec![]),
            (
                vec!["redis-server"],
                vec!["/data/sentinel.conf", "--sentinel"],
            ),
            (vec![], vec!["--sentinel"]),
            (vec!["sh", "-c"], vec!["redis-cli -h redis ping"]),
            (vec!["sleep", "infinity"], vec![]),
            (vec!["/scripts/backup.sh"], vec![]),
            (vec!["/scripts/backup.sh", "mydb"], vec![]),
        ] {
            assert_eq!(
                runs_store("redis:7.2", &command, &args),
                None,
                "{command:?} {args:?}"
            );
        }
        assert_eq!(
            runs_store("mongo:7", &["mongos", "--configdb", "cfg/x:27019"], &[]),
            None
        );
        assert_eq!(
            runs_store("postgres:16", &["psql", "-c", "select 1"], &[]),
            None
        );
        assert_eq!(
            runs_store("etcd:3.5", &["etcdctl", "snapshot", "save", "/b"], &[]),
            None
        );
        assert_eq!(
            runs_store(
                "hashicorp/consul:1.17",
                &["consul", "agent", "-retry-join=x"],
                &[]
            ),
            None
        );
        assert_eq!(
            runs_store(
                "apachepulsar/pulsar:3",
                &["sh", "-c", "bin/pulsar broker"],
                &[]
            ),
            None
        );
        assert_eq!(runs_store("pingcap/tidb", &["/tidb-server"], &[]), None);
    }

    #[test]
    fn the_server_binary_is_the_store_whatever_the_image() {
        for (image, command, args, name) in [
            ("redis:7.2", vec!["redis-server"], vec!["/etc/redis.conf"], "Redis"),
            ("example/custom:1", vec!["redis-server"], vec![], "Redis"),
            ("example/custom:1", vec!["mongod", "--replSet", "rs0"], vec![], "MongoDB"),
            ("example/custom:1", vec!["docker-entrypoint.sh", "postgres"], vec![], "PostgreSQL"),
            ("example/custom:1", vec!["mysqld"], vec![], "MySQL"),
            ("example/custom:1", vec!["bin/elasticsearch"], vec![], "Elasticsearch"),
            ("example/custom:1", vec!["/usr/local/bin/etcd", "--name=x"], vec![], "etcd"),
            ("example/custom:1", vec!["cockroach", "start", "--join=x"], vec![], "CockroachDB"),
            ("example/custom:1", vec!["minio", "server", "/data"], vec![], "MinIO"),
            ("example/custom:1", vec!["sh", "-c", "exec kafka-server-start.sh /c/server.properties"], vec![], "Kafka"),
            ("apachepulsar/pulsar:3", vec!["sh", "-c"], vec!["bin/apply-config-from-env.py conf/bookkeeper.conf && exec bin/pulsar bookie"], "BookKeeper"),
            ("vitess/lite:v19", vec!["vttablet"], vec!["--tablet-path=zone1-100"], "Vitess (vttablet)"),
            ("hashicorp/consul:1.17", vec!["/bin/sh", "-ec", "exec /usr/local/bin/docker-entrypoint.sh consul agent -server -bootstrap-expect=3"], vec![], "Consul"),
            // The image's variant wins for its own family.
            ("bitnami/mariadb-galera:11", vec!["mysqld"], vec![], "MariaDB Galera"),
            ("redis:7.2", vec!["sh", "-c", "if [ -f /x ]; then echo; fi\nredis-server --appendonly yes"], vec![], "Redis"),
            // Start scripts and entrypoints keep the image's verdict.
            ("bitnami/redis:7.2", vec!["/bin/bash"], vec!["-c", "/opt/bitnami/scripts/start-scripts/start-master.sh"], "Redis"),
            ("mongo:7", vec![], vec!["--replSet", "rs0"], "MongoDB"),
            ("confluentinc/cp-kafka:7.5.0", vec!["/etc/confluent/docker/run"], vec![], "Kafka"),
            ("postgres:16", vec!["sh", "-c", "/custom/tool --x"], vec![], "PostgreSQL"),
            // A wrapper script that execs its arguments.
            ("redis:5.0", vec!["/conf/fix-ip.sh", "redis-server", "/conf/redis.conf"], vec![], "Redis"),
        ] {
            assert_eq!(runs_store(image, &command, &args), Some(name), "{image} {command:?} {args:?}");
        }
    }

    #[test]
    fn coordinating_only_search_nodes_hold_no_data() {
        let mut c = container(
            "docker.elastic.co/elasticsearch/elasticsearch:8.12.0",
            &[],
            &[],
        );
        c.env = Some(vec![k8s_openapi::api::core::v1::EnvVar {
            name: "node.roles".into(),
            value: Some("ingest".into()),
            ..Default::default()
        }]);
        assert_eq!(container_store(&c), None);
        c.env = Some(vec![k8s_openapi::api::core::v1::EnvVar {
            name: "node.roles".into(),
            value: Some("master,data".into()),
            ..Default::default()
        }]);
        assert!(container_store(&c).is_some());
    }

    fn with_env(mut c: Container, k: &str, v: &str) -> Container {
        c.env
            .get_or_insert_with(Vec::new)
            .push(k8s_openapi::api::core::v1::EnvVar {
                name: k.into(),
                value: Some(v.into()),
                ..Default::default()
            });
        c
    }

    #[test]
    fn default_data_directories() {
        for (image, want) in [
            ("postgres:16", vec!["/var/lib/postgresql/data"]),
            ("postgres:18.1", vec!["/var/lib/postgresql/18/docker"]),
            ("postgres", vec!["/var/lib/postgresql/data"]),
            ("bitnami/postgresql:16", vec!["/bitnami/postgresql"]),
            (
                "registry.opensource.zalan.do/acid/spilo-15:3.0",
                vec!["/home/postgres/pgdata"],
            ),
            ("mysql:8", vec!["/var/lib/mysql"]),
            ("percona/percona-xtradb-cluster:8.0", vec!["/var/lib/mysql"]),
            ("bitnami/mariadb-galera:11", vec!["/bitnami/mariadb"]),
            ("mongo:7", vec!["/data/db"]),
            ("redis:7", vec!["/data"]),
            ("valkey/valkey:8", vec!["/data"]),
            ("zookeeper:3.9", vec!["/data", "/datalog"]),
            ("gcr.io/google_samples/k8szk:v3", vec!["/var/lib/zookeeper"]),
            ("quay.io/coreos/etcd:v3.5", vec!["/var/lib/etcd"]),
            ("rabbitmq:3", vec!["/var/lib/rabbitmq"]),
            ("cassandra:4", vec!["/var/lib/cassandra"]),
            (
                "docker.elastic.co/elasticsearch/elasticsearch:8.1.0",
                vec!["/usr/share/elasticsearch/data"],
            ),
            (
                "opensearchproject/opensearch:2",
                vec!["/usr/share/opensearch/data"],
            ),
            ("confluentinc/cp-kafka:7.5.0", vec!["/var/lib/kafka/data"]),
            ("bitnami/kafka:3.6", vec!["/bitnami/kafka"]),
            ("solsson/kafka:2.8", vec![]),
            (
                "cockroachdb/cockroach:v23.1",
                vec!["/cockroach/cockroach-data"],
            ),
            ("hashicorp/consul:1.17", vec!["/consul/data"]),
            ("couchbase/server:7", vec!["/opt/couchbase/var"]),
            ("neo4j:5", vec!["/data"]),
            (
                "clickhouse/clickhouse-server:24",
                vec!["/var/lib/clickhouse"],
            ),
            ("influxdb:2.7", vec!["/var/lib/influxdb2"]),
            ("influxdb:1.8", vec!["/var/lib/influxdb"]),
            ("solr:9", vec!["/var/solr"]),
            ("minio/minio", vec![]),
        ] {
            assert_eq!(dirs(&container(image, &[], &[])), want, "{image}");
        }
    }

    #[test]
    fn data_directories_set_on_the_command_line_or_in_env_win() {
        let c = |image: &str, command: &[&str]| container(image, command, &[]);
        assert_eq!(
            dirs(&c("mongo:7", &["mongod", "--dbpath", "/mongo"])),
            ["/mongo"]
        );
        assert_eq!(
            dirs(&c("mongo:7", &["mongod", "--dbpath=/mongo"])),
            ["/mongo"]
        );
        assert_eq!(
            dirs(&c(
                "etcd",
                &["etcd", "--data-dir=/var/run/etcd/default.etcd"]
            )),
            ["/var/run/etcd/default.etcd"]
        );
        assert_eq!(
            dirs(&c("mysql:8", &["mysqld", "--datadir=/srv/mysql"])),
            ["/srv/mysql"]
        );
        assert_eq!(
            dirs(&c("redis:7", &["redis-server", "--dir", "/var/redis"])),
            ["/var/redis"]
        );
        assert_eq!(
            dirs(&c(
                "minio/minio",
                &[
                    "minio",
                    "server",
                    "http://minio-{0...1}.minio/data{1...2}",
                    "--console-address",
                    ":9001"
                ]
            )),
            ["/data1", "/data2"]
        );
        assert_eq!(
            dirs(&c("minio/minio", &["minio", "server", "/export"])),
            ["/export"]
        );
        assert_eq!(
            dirs(&c(
                "cockroachdb/cockroach",
                &["cockroach", "start", "--store=path=/cr,size=10GB"]
            )),
            ["/cr"]
        );
        assert_eq!(
            dirs(&c(
                "hashicorp/consul",
                &["consul", "agent", "-server", "-data-dir=/var/consul"]
            )),
            ["/var/consul"]
        );
        assert_eq!(
            dirs(&with_env(
                container("postgres:16", &[], &[]),
                "PGDATA",
                "/var/lib/postgresql/data/pgdata"
            )),
            ["/var/lib/postgresql/data/pgdata"]
        );
        assert_eq!(
            dirs(&with_env(
                container("zookeeper:3.9", &[], &[]),
                "ZOO_DATA_DIR",
                "/zk"
            )),
            ["/zk"]
        );
        assert_eq!(
            dirs(&with_env(
                container("confluentinc/cp-kafka", &[], &[]),
                "KAFKA_LOG_DIRS",
                "/k1,/k2"
            )),
            ["/k1", "/k2"]
        );
        // A variable: unknown.
        assert!(dirs(&c("mongo:7", &["sh", "-c", "mongod --dbpath $DATA"])).is_empty());
        // ZooKeeper from a Kafka image: dataDir is in a properties file.
        assert!(dirs(&c(
            "bitnami/kafka:3",
            &["zookeeper-server-start.sh", "config/zookeeper.properties"]
        ))
        .is_empty());
    }

    #[test]
    fn redis_without_persistence_is_a_cache() {
        let check = |command: &[&str], args: &[&str]| {
            let c = container("redis:7", command, args);
            persistence_disabled(&c, &container_store(&c).unwrap(), &[])
        };
        assert!(check(
            &["redis-server", "--save", "", "--appendonly", "no"],
            &[]
        ));
        assert!(check(&[], &["--save", ""]));
        assert!(check(
            &["sh", "-c", "redis-server --save \"\" --appendonly no"],
            &[]
        ));
        assert!(!check(
            &["redis-server", "--save", "", "--appendonly", "yes"],
            &[]
        ));
        assert!(!check(&["redis-server"], &[]));
        assert!(!check(&[], &[]));
        let pg = container("postgres:16", &[], &[]);
        assert!(!persistence_disabled(&pg, &POSTGRES, &["save \"\""]));
        // From a redis.conf the pod loads.
        let redis = container("redis:7", &["redis-server", "/data/conf/redis.conf"], &[]);
        let conf = "dir \"/data\"\nport 6379\nsave \"\"\nmaxmemory 0\n";
        assert!(persistence_disabled(
            &redis,
            &REDIS,
            &[conf, "sentinel monitor x"]
        ));
        assert!(!persistence_disabled(
            &redis,
            &REDIS,
            &["save \"\"\nappendonly yes"]
        ));
        assert!(!persistence_disabled(&redis, &REDIS, &["save 900 1"]));
        assert!(!persistence_disabled(&redis, &REDIS, &["port 6379"]));
        // Flags win over the file.
        let aof = container(
            "redis:7",
            &["redis-server", "/c/redis.conf", "--appendonly", "yes"],
            &[],
        );
        assert!(!persistence_disabled(&aof, &REDIS, &[conf]));
        assert_eq!(redis_conf_persistence("save \"\"\nsave 900 1"), Some(true));
        assert_eq!(redis_conf_persistence("bind 0.0.0.0"), None);
    }

    #[test]
    fn cache_only_components() {
        let name = |image: &str, command: &[&str], args: &[&str]| {
            cache_only(&container(image, command, args)).map(|c| c.name)
        };
        assert_eq!(
            name(
                "quay.io/thanos/thanos:v0.34.0",
                &[],
                &["store", "--data-dir=/var/thanos/store"]
            ),
            Some("Thanos store gateway")
        );
        assert_eq!(
            name("quay.io/thanos/thanos:v0.34.0", &["thanos", "compact"], &[]),
            Some("Thanos compactor")
        );
        assert_eq!(
            name("quay.io/thanos/thanos:v0.34.0", &[], &["receive"]),
            None
        );
        assert_eq!(name("quay.io/thanos/thanos:v0.34.0", &[], &["rule"]), None);
        assert_eq!(
            name(
                "grafana/loki:3.0.0",
                &[],
                &["-config.file=/etc/loki/config.yaml", "-target=ingester"]
            ),
            Some("Loki")
        );
        assert_eq!(
            name("grafana/loki:3.0.0", &[], &["-target=write"]),
            Some("Loki")
        );
        assert_eq!(name("grafana/loki:3.0.0", &[], &["-target=all"]), None);
        assert_eq!(name("grafana/loki:3.0.0", &[], &[]), None);
        assert_eq!(
            name("grafana/mimir:2.12.0", &[], &["-target=store-gateway"]),
            Some("Mimir")
        );
        assert_eq!(
            name(
                "cortexproject/cortex:v1.16.0",
                &[],
                &["-target", "compactor"]
            ),
            Some("Cortex")
        );
        assert_eq!(name("prom/prometheus:v2.50.0", &[], &[]), None);
        // Not data stores either.
        assert_eq!(
            container_store(&container("quay.io/thanos/thanos:v0.34.0", &[], &["store"])),
            None
        );
    }

    #[test]
    fn script_words() {
        assert_eq!(
            script_commands("a 'b c' \"d\\\"e\" ''; f|g && h # i\nj"),
            vec![
                vec!["a".to_string(), "b c".into(), "d\"e".into(), "".into()],
                vec!["f".into()],
                vec!["g".into()],
                vec!["h".into()],
                vec!["j".into()],
            ]
        );
    }
}
