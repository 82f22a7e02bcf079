//! Facts of StatefulSets, Services and the objects that back StatefulSets up,
//! for `missing-headless-service`, `missing-backup` and `unsafe-backup-job`.
//!
//! Everything these rules decide from one object alone is decided here, while
//! its file is read; what is left is matching names and labels across objects.

use std::collections::BTreeMap;

use crate::catalog::container_store;
use crate::facts::{Extract, Facts, ObjId, Sym};
use crate::manifest::{Object, Typed};
use crate::path::{join_key, locate};
use crate::source::{ByteSpan, FileId};

/// A run of a per-file arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    pub start: u32,
    pub len: u32,
}

impl Slice {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// What one file contributes.
#[derive(Default)]
pub struct FileBackup {
    /// Typed StatefulSets, in file order.
    pub sts: Vec<StsFact>,
    /// Objects of kind `Service` (typed or not), in file order.
    pub services: Vec<SvcFact>,
    /// Label maps: (key, value) in key order (as a `BTreeMap` iterates).
    pub pairs: Vec<(Sym, Sym)>,
}

impl FileBackup {
    fn push_labels(&mut self, x: &Extract<'_>, m: &BTreeMap<String, String>) -> Slice {
        let start = self.pairs.len() as u32;
        self.pairs
            .extend(m.iter().map(|(k, v)| (x.sym(k), x.sym(v))));
        Slice {
            start,
            len: m.len() as u32,
        }
    }

    pub fn labels(&self, s: Slice) -> &[(Sym, Sym)] {
        &self.pairs[s.range()]
    }
}

/// A typed StatefulSet.
pub struct StsFact {
    /// The object's place in its file.
    pub local: u32,
    /// T `spec.serviceName` ("" when unset).
    pub service_name: Sym,
    /// `spec.serviceName`: its value when the name is set, else its key (or
    /// nearest parent).
    pub service_name_at: ByteSpan,
    /// The pod template, when there is one (`Object::pod`).
    pub pod: Option<PodFact>,
}

/// The pod template of a StatefulSet.
pub struct PodFact {
    /// The first container's data store (`container_store`, init containers
    /// left out): its display name and whether it is a quorum.
    pub store: Option<(&'static str, bool)>,
    /// `missing-headless-service` reports at error severity.
    pub clustered: bool,
    /// T pod template labels.
    pub labels: Option<Slice>,
    /// The key of `spec.template.metadata.labels` (or its nearest parent).
    pub labels_key: ByteSpan,
}

/// An object of kind `Service`.
pub struct SvcFact {
    pub local: u32,
    /// The key of `metadata.name` (or its nearest parent).
    pub name_key: ByteSpan,
    /// Only for typed Services.
    pub typed: Option<TypedSvc>,
}

/// What is read from a typed Service.
pub struct TypedSvc {
    /// T `spec.clusterIP` is `None`.
    pub headless: bool,
    /// T `spec.type` when NodePort or LoadBalancer.
    pub exposed: Option<&'static str>,
    /// The key of `spec.type` if exposed, else of `spec.clusterIP` if set,
    /// else of `spec`.
    pub cluster_ip_at: ByteSpan,
    /// T `spec.selector`.
    pub selector: Option<Slice>,
    /// The key of `spec.selector` when non-empty, else of `spec`.
    pub selector_at: ByteSpan,
    /// T `spec.publishNotReadyAddresses` is true.
    pub publishes_not_ready: bool,
    /// The key of the tolerate-unready annotation, when it is a string.
    pub tolerate_unready_at: Option<ByteSpan>,
}

/// The annotation that published not-ready pods before
/// `publishNotReadyAddresses`; Kubernetes 1.24 stopped reading it.
pub const TOLERATE_UNREADY: &str = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

pub fn extract(obj: &Object, x: &Extract<'_>, local: u32, out: &mut FileBackup) {
    if obj.kind == "Service" {
        let typed = match &obj.typed {
            Typed::Service(s) => Some(typed_service(obj, s, x, out)),
            _ => None,
        };
        out.services.push(SvcFact {
            local,
            name_key: locate(&obj.node, "metadata.name", false).0,
            typed,
        });
    }
    if let Some(sts) = obj.statefulset() {
        let name = sts.spec.service_name.as_deref().unwrap_or_default();
        let pod = obj.pod().map(|pod| {
            let store = pod
                .containers(false)
                .iter()
                .find_map(|c| container_store(c.container));
            PodFact {
                store: store.map(|s| (s.name, s.quorum)),
                clustered: store.is_some()
                    || (!name.is_empty() && uses_pod_dns(obj, pod.spec_path, name)),
                labels: pod.labels.map(|l| out.push_labels(x, l)),
                labels_key: locate(&obj.node, pod.labels_path, false).0,
            }
        });
        out.sts.push(StsFact {
            local,
            service_name: x.sym(name),
            service_name_at: locate(&obj.node, "spec.serviceName", !name.is_empty()).0,
            pod,
        });
    }
}

fn typed_service(
    obj: &Object,
    s: &k8s_openapi::api::core::v1::Service,
    x: &Extract<'_>,
    out: &mut FileBackup,
) -> TypedSvc {
    let spec = s.spec.as_ref();
    let key = |field: &str| locate(&obj.node, field, false).0;
    let exposed = match spec.and_then(|s| s.type_.as_deref()) {
        Some("NodePort") => Some("NodePort"),
        Some("LoadBalancer") => Some("LoadBalancer"),
        _ => None,
    };
    let cluster_ip_at = if exposed.is_some() {
        key("spec.type")
    } else if obj.has("spec.clusterIP") {
        key("spec.clusterIP")
    } else {
        key("spec")
    };
    let selector = spec.and_then(|s| s.selector.as_ref());
    let selector_at = match selector {
        Some(s) if !s.is_empty() => key("spec.selector"),
        _ => key("spec"),
    };
    TypedSvc {
        headless: spec.and_then(|s| s.cluster_ip.as_deref()) == Some("None"),
        exposed,
        cluster_ip_at,
        selector: selector.map(|l| out.push_labels(x, l)),
        selector_at,
        publishes_not_ready: spec.and_then(|s| s.publish_not_ready_addresses) == Some(true),
        tolerate_unready_at: obj
            .annotation(TOLERATE_UNREADY)
            .map(|_| key(&join_key("metadata.annotations", TOLERATE_UNREADY))),
    }
}

/// Whether the pod's containers address peers by their per-pod DNS names
/// (`$(POD_NAME).<service>`, `db-0.<service>.ns.svc`).
fn uses_pod_dns(obj: &Object, spec_path: &str, service: &str) -> bool {
    let Some(spec) = obj.at(spec_path) else {
        return false;
    };
    let needle = format!(".{service}");
    let mut hit = false;
    spec.for_each_string(&mut |s, _| {
        if hit {
            return;
        }
        let mut from = 0;
        while let Some(i) = s[from..].find(&needle) {
            let end = from + i + needle.len();
            if s[end..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            {
                hit = true;
                return;
            }
            from = end;
        }
    });
    hit
}

// ------------------------------------------------------------ cross phase

/// One fact of a kind, with the object it belongs to.
pub struct Of<'f, T> {
    pub id: ObjId,
    pub file: FileId,
    /// The file's facts (for its label arena).
    pub facts: &'f FileBackup,
    pub fact: &'f T,
}

impl<T> Clone for Of<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Of<'_, T> {}

impl<'f, T> Of<'f, T> {
    pub fn labels(&self, s: Slice) -> &'f [(Sym, Sym)] {
        self.facts.labels(s)
    }
}

/// Facts kept per object, by the object's place in its file.
pub trait Local {
    fn local(&self) -> u32;
}

impl Local for StsFact {
    fn local(&self) -> u32 {
        self.local
    }
}

impl Local for SvcFact {
    fn local(&self) -> u32 {
        self.local
    }
}

/// Every fact in `list` of every file, with its object, in canonical order.
fn all<T: Local + 'static>(
    facts: &Facts,
    list: fn(&FileBackup) -> &[T],
) -> impl Iterator<Item = Of<'_, T>> {
    facts.files.iter().enumerate().flat_map(move |(i, ff)| {
        let file = FileId(i as u32);
        list(&ff.backup).iter().map(move |fact| Of {
            id: facts.id(file, fact.local() as usize),
            file,
            facts: &ff.backup,
            fact,
        })
    })
}

/// The fact in `list` of object `id`, if it has one.
fn one<T: Local + 'static>(
    facts: &Facts,
    id: ObjId,
    list: fn(&FileBackup) -> &[T],
) -> Option<Of<'_, T>> {
    let (file, local) = facts.locate(id);
    let b = &facts.files[file.0 as usize].backup;
    let l = list(b);
    let at = l.binary_search_by_key(&(local as u32), T::local).ok()?;
    Some(Of {
        id,
        file,
        facts: b,
        fact: &l[at],
    })
}

/// Every typed StatefulSet, in canonical order.
pub fn statefulsets(facts: &Facts) -> impl Iterator<Item = Of<'_, StsFact>> {
    all(facts, |b| &b.sts)
}

/// Every object of kind `Service`, in canonical order.
pub fn services(facts: &Facts) -> impl Iterator<Item = Of<'_, SvcFact>> {
    all(facts, |b| &b.services)
}

/// The fact of an object of kind `Service`.
pub fn service(facts: &Facts, id: ObjId) -> Option<Of<'_, SvcFact>> {
    one(facts, id, |b| &b.services)
}

/// The object of `kind` named `name` in `ns` nearest to `from` (see
/// [`Facts::nearest`]).
pub fn named_near(
    facts: &Facts,
    from: FileId,
    ns: Option<Sym>,
    kind: Sym,
    name: Sym,
) -> Option<ObjId> {
    facts.nearest(from, facts.by_key.get(&(kind, ns, name))?)
}

/// A label map read back as strings, for messages and for the selector
/// functions of [`crate::index`].
pub fn label_map(facts: &Facts, pairs: &[(Sym, Sym)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|&(k, v)| (facts.str(k).to_string(), facts.str(v).to_string()))
        .collect()
}

/// [`crate::index::map_selector_matches`] on facts: every pair of a
/// non-empty selector is among the labels (a `Sym` is its string).
pub fn map_selector_matches(sel: Option<&[(Sym, Sym)]>, labels: &[(Sym, Sym)]) -> bool {
    match sel {
        Some(s) if !s.is_empty() => s.iter().all(|p| labels.contains(p)),
        _ => false,
    }
}
