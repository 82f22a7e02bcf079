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
}

use Bootstrap::*;

/// (image word, data store). A word matches when it is one of the image name's
/// words, or the whole name.
const STORES: &[(&str, DataStore)] = &[
    // Bootstraps from ordinal 0.
    (
        "postgres",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "postgresql",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "postgis",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "timescaledb",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "spilo",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "patroni",
        DataStore {
            name: "PostgreSQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "mysql",
        DataStore {
            name: "MySQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "mariadb",
        DataStore {
            name: "MariaDB",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "xtradb",
        DataStore {
            name: "MySQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "mongo",
        DataStore {
            name: "MongoDB",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "mongodb",
        DataStore {
            name: "MongoDB",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "redis",
        DataStore {
            name: "Redis",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "valkey",
        DataStore {
            name: "Valkey",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "keydb",
        DataStore {
            name: "KeyDB",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "zookeeper",
        DataStore {
            name: "ZooKeeper",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "etcd",
        DataStore {
            name: "etcd",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "rabbitmq",
        DataStore {
            name: "RabbitMQ",
            bootstrap: FromOrdinalZero,
        },
    ),
    // Peer-to-peer: every member starts alike; Parallel is fine.
    (
        "cassandra",
        DataStore {
            name: "Cassandra",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "scylla",
        DataStore {
            name: "ScyllaDB",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "scylladb",
        DataStore {
            name: "ScyllaDB",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "elasticsearch",
        DataStore {
            name: "Elasticsearch",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "opensearch",
        DataStore {
            name: "OpenSearch",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "kafka",
        DataStore {
            name: "Kafka",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "cockroach",
        DataStore {
            name: "CockroachDB",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "cockroachdb",
        DataStore {
            name: "CockroachDB",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "nats",
        DataStore {
            name: "NATS",
            bootstrap: PeerToPeer,
        },
    ),
    (
        "consul",
        DataStore {
            name: "Consul",
            bootstrap: PeerToPeer,
        },
    ),
];

/// Names matched only as a whole (as words they are ambiguous:
/// `percona-server-mongodb` is MongoDB).
const WHOLE_NAMES: &[(&str, DataStore)] = &[
    (
        "percona",
        DataStore {
            name: "MySQL",
            bootstrap: FromOrdinalZero,
        },
    ),
    (
        "percona-server",
        DataStore {
            name: "MySQL",
            bootstrap: FromOrdinalZero,
        },
    ),
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
