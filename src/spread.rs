//! How a pod template spreads its own replicas: pod anti-affinity terms and
//! topology spread constraints, read together (a peer complaint: several tools
//! ignore topologySpreadConstraints).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodAffinityTerm;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::manifest::PodView;
use crate::selectors::selector_matches;

/// Topology keys that separate nodes.
pub const HOST_KEYS: &[&str] = &["kubernetes.io/hostname"];

/// Topology keys that separate zones (or regions, which contain zones).
pub const ZONE_KEYS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Host,
    Zone,
}

pub fn key_level(key: &str) -> Option<Level> {
    if HOST_KEYS.contains(&key) {
        Some(Level::Host)
    } else if ZONE_KEYS.contains(&key) {
        Some(Level::Zone)
    } else {
        None
    }
}

/// One spreading term of a pod template, with its field path.
#[derive(Debug)]
pub struct Term<'a> {
    /// e.g. `spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]`
    pub path: String,
    pub selector: Option<&'a LabelSelector>,
    pub topology_key: &'a str,
    /// The term restricts itself to namespaces that exclude the pods' own.
    pub other_namespaces: bool,
    pub is_constraint: bool,
}

impl Term<'_> {
    /// Whether the term's selector selects the template's own pods.
    pub fn selects_own_pods(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.other_namespaces && self.selector.is_some_and(|s| selector_matches(s, labels))
    }

    pub fn selector_path(&self) -> String {
        format!("{}.labelSelector", self.path)
    }

    pub fn key_path(&self) -> String {
        format!("{}.topologyKey", self.path)
    }
}

/// All anti-affinity terms (required and preferred) and topology spread
/// constraints of a pod template.
pub fn terms<'a>(pod: &PodView<'a>, namespace: Option<&str>) -> Vec<Term<'a>> {
    let mut out = Vec::new();
    let base = pod.spec_path;
    let other_ns = |t: &PodAffinityTerm| match (&t.namespaces, namespace) {
        (Some(list), Some(ns)) if !list.is_empty() => !list.iter().any(|n| n == ns),
        _ => false,
    };
    if let Some(anti) = pod
        .spec
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref())
    {
        let p = format!("{base}.affinity.podAntiAffinity");
        for (i, t) in anti
            .required_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .enumerate()
        {
            out.push(Term {
                path: format!("{p}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
                selector: t.label_selector.as_ref(),
                topology_key: &t.topology_key,
                other_namespaces: other_ns(t),
                is_constraint: false,
            });
        }
        for (i, w) in anti
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .flatten()
            .enumerate()
        {
            let t = &w.pod_affinity_term;
            out.push(Term {
                path: format!(
                    "{p}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm"
                ),
                selector: t.label_selector.as_ref(),
                topology_key: &t.topology_key,
                other_namespaces: other_ns(t),
                is_constraint: false,
            });
        }
    }
    for (i, c) in pod
        .spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
    {
        out.push(Term {
            path: format!("{base}.topologySpreadConstraints[{i}]"),
            selector: c.label_selector.as_ref(),
            topology_key: &c.topology_key,
            other_namespaces: false,
            is_constraint: true,
        });
    }
    out
}

/// Whether some term spreads the template's own pods at `level` or wider
/// (a zone-level term also separates hosts).
pub fn spreads(pod: &PodView<'_>, namespace: Option<&str>, level: Level) -> bool {
    let labels = pod.labels_or_empty();
    terms(pod, namespace).iter().any(|t| {
        t.selects_own_pods(labels)
            && matches!(
                (key_level(t.topology_key), level),
                (Some(Level::Zone), _) | (Some(Level::Host), Level::Host)
            )
    })
}
