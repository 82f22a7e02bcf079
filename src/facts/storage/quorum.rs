//! `even-quorum-replicas`: StatefulSets that run data stores (the possible
//! members of an ensemble split over several StatefulSets), and the ones with
//! an even member count of a quorum store.

use crate::catalog::container_store;
use crate::manifest::Object;
use crate::path::locate;
use crate::source::ByteSpan;

use super::{Extract, FileStorage, Sym};

/// A StatefulSet whose pod runs at least one data store: its part of an
/// ensemble.
pub struct Member {
    pub local: u32,
    /// `spec.replicas`, 1 when unset (no HorizontalPodAutoscaler).
    pub replicas: i32,
    /// The engines of its containers, deduplicated:
    /// `syms[engines_at..engines_at + engines_len]` of its file.
    pub engines_at: u32,
    pub engines_len: u32,
    /// Its pod labels: `labels[labels_at..labels_at + labels_len]`.
    pub labels_at: u32,
    pub labels_len: u32,
}

/// A StatefulSet with an even `spec.replicas` of two or more whose pod runs
/// a quorum store: it reports unless the other members of its ensemble make
/// the total odd.
pub struct EvenQuorum {
    pub local: u32,
    pub replicas: i32,
    /// The first quorum store of its containers: its engine and name.
    pub engine: Sym,
    pub store: &'static str,
    /// The value of `spec.replicas`.
    pub span: ByteSpan,
    /// Its [`Member`] (in its file's list).
    pub member: u32,
}

pub fn extract(obj: &Object, local: u32, x: &Extract<'_>, facts: &mut FileStorage) {
    if obj.statefulset().is_none() {
        return;
    }
    let Some(pod) = obj.pod() else { return };
    let containers = pod.containers(false);
    let stores: Vec<_> = containers
        .iter()
        .filter_map(|c| container_store(c.container))
        .collect();
    if stores.is_empty() {
        return;
    }
    let mut engines: Vec<&'static str> = stores.iter().map(|s| s.engine).collect();
    engines.sort_unstable();
    engines.dedup();
    let member = facts.members.len() as u32;
    let (engines_at, labels_at) = (facts.syms.len() as u32, facts.labels.len() as u32);
    facts.syms.extend(engines.iter().map(|e| x.sym(e)));
    facts.labels.extend(
        pod.labels_or_empty()
            .iter()
            .map(|(k, v)| (x.sym(k), x.sym(v))),
    );
    facts.members.push(Member {
        local,
        replicas: obj.replicas().unwrap_or(1),
        engines_at,
        engines_len: facts.syms.len() as u32 - engines_at,
        labels_at,
        labels_len: facts.labels.len() as u32 - labels_at,
    });
    let Some(replicas) = obj.replicas().filter(|r| *r >= 2 && r % 2 == 0) else {
        return;
    };
    let Some(store) = stores.iter().find(|s| s.quorum) else {
        return;
    };
    facts.even_quorum.push(EvenQuorum {
        local,
        replicas,
        engine: x.sym(store.engine),
        store: store.name,
        span: locate(&obj.node, "spec.replicas", true).0,
        member,
    });
}
