//! What stslint knows about data stores, recognised by container image.
//!
//! This is the one place that lists them. An image is matched on its repository
//! name (the last path component, without registry, tag or digest), split into
//! words on `-` and `_`: `docker.io/bitnami/postgresql:16` → `postgresql`;
//! `quay.io/coreos/etcd:v3.5` → `etcd`. Images whose name also says `exporter`,
//! `operator`, `proxy`, `sidecar` and the like are tools around a data store,
//! not the store itself, and are not matched.

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
    /// elections): an even member count adds no fault tolerance.
    pub quorum: bool,
}

use Bootstrap::*;

const fn ordered(name: &'static str) -> DataStore {
    DataStore {
        name,
        bootstrap: FromOrdinalZero,
        quorum: false,
    }
}
const fn ordered_quorum(name: &'static str) -> DataStore {
    DataStore {
        name,
        bootstrap: FromOrdinalZero,
        quorum: true,
    }
}
const fn peer(name: &'static str) -> DataStore {
    DataStore {
        name,
        bootstrap: PeerToPeer,
        quorum: false,
    }
}
const fn peer_quorum(name: &'static str) -> DataStore {
    DataStore {
        name,
        bootstrap: PeerToPeer,
        quorum: true,
    }
}

/// (image word, data store). A word matches when it is one of the image name's
/// words, or the whole name.
const STORES: &[(&str, DataStore)] = &[
    // Bootstraps from ordinal 0.
    ("postgres", ordered("PostgreSQL")),
    ("postgresql", ordered("PostgreSQL")),
    ("postgis", ordered("PostgreSQL")),
    ("timescaledb", ordered("PostgreSQL")),
    ("spilo", ordered("PostgreSQL")),
    ("patroni", ordered("PostgreSQL")),
    ("mysql", ordered("MySQL")),
    ("mariadb", ordered("MariaDB")),
    ("xtradb", ordered_quorum("MySQL")),
    ("mongo", ordered_quorum("MongoDB")),
    ("mongodb", ordered_quorum("MongoDB")),
    ("redis", ordered("Redis")),
    ("valkey", ordered("Valkey")),
    ("keydb", ordered("KeyDB")),
    ("zookeeper", ordered_quorum("ZooKeeper")),
    ("etcd", ordered_quorum("etcd")),
    ("rabbitmq", ordered_quorum("RabbitMQ")),
    // Peer-to-peer: every member starts alike; Parallel is fine.
    ("cassandra", peer("Cassandra")),
    ("scylla", peer("ScyllaDB")),
    ("scylladb", peer("ScyllaDB")),
    ("elasticsearch", peer("Elasticsearch")),
    ("opensearch", peer("OpenSearch")),
    ("kafka", peer("Kafka")),
    ("cockroach", peer("CockroachDB")),
    ("cockroachdb", peer("CockroachDB")),
    ("nats", peer("NATS")),
    ("consul", peer_quorum("Consul")),
];

/// Names matched only as a whole (as words they are ambiguous:
/// `percona-server-mongodb` is MongoDB).
const WHOLE_NAMES: &[(&str, DataStore)] = &[
    ("percona", ordered("MySQL")),
    ("percona-server", ordered("MySQL")),
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

/// The data store an image runs, if stslint knows it.
pub fn data_store(image: &str) -> Option<DataStore> {
    let name = image_name(image).to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NOT_A_STORE.contains(w)) {
        return None;
    }
    if let Some((_, s)) = WHOLE_NAMES.iter().find(|(k, _)| *k == name) {
        return Some(*s);
    }
    words
        .iter()
        .find_map(|w| STORES.iter().find(|(k, _)| k == w).map(|(_, s)| *s))
}

/// The data store a container runs, if stslint knows it. Today this reads the
/// image; it is the one entry point rules use, so what runs (command, args)
/// can decide too.
pub fn container_store(c: &k8s_openapi::api::core::v1::Container) -> Option<DataStore> {
    c.image.as_deref().and_then(data_store)
}

/// The list, for docs: (image word, store, bootstraps from ordinal 0).
pub fn stores() -> impl Iterator<Item = (&'static str, DataStore)> {
    STORES.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(image: &str) -> Option<&'static str> {
        data_store(image).map(|s| s.name)
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
        assert_eq!(store("percona/percona-server-mongodb:6.0"), Some("MongoDB"));
        assert_eq!(store("bitnami/redis-cluster:7"), Some("Redis"));
        assert_eq!(store("cassandra:4"), Some("Cassandra"));
        assert_eq!(store("confluentinc/cp-kafka:7.5.0"), Some("Kafka"));
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
        ] {
            assert_eq!(data_store(image).unwrap().quorum, quorum, "{image}");
        }
    }

    #[test]
    fn bootstrap_kinds() {
        assert_eq!(
            data_store("postgres").unwrap().bootstrap,
            Bootstrap::FromOrdinalZero
        );
        assert_eq!(
            data_store("elasticsearch:8").unwrap().bootstrap,
            Bootstrap::PeerToPeer
        );
    }
}
