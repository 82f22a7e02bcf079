//! Facts of the storage rules: claims shared by replicas
//! (`shared-volume-claim`), data on pod-scoped volumes (`ephemeral-data`),
//! quorum ensembles (`even-quorum-replicas`) and StorageClasses (the
//! StorageClass family).
//!
//! Only objects of the kinds these rules read record anything, and most of a
//! rule's question is answered here, on the whole object: the cross-object
//! phase only looks up what other objects say.

use crate::manifest::{Object, Typed};
use crate::path::locate;
use crate::source::ByteSpan;

use super::{trim, Extract, Sym};

pub mod classes;
pub mod ephemeral;
pub mod quorum;

/// What one file's objects tell the storage rules. Every list is in the
/// order of the objects in the file; `local` is an object's place in it.
#[derive(Default)]
pub struct FileStorage {
    /// Objects of kind `PersistentVolumeClaim` (typed or not).
    pub claims: Vec<ClaimFact>,
    /// Pod volumes that mount one claim for several replicas.
    pub shared_mounts: Vec<SharedMount>,
    /// Lists of strings the facts below point into: engines of
    /// [`quorum::Member`]s, ConfigMap names of [`ephemeral::DataFinding`]s.
    pub syms: Vec<Sym>,
    /// `ephemeral-data`: its findings, and the typed ConfigMaps that turn
    /// Redis persistence off.
    pub ephemeral: Vec<ephemeral::DataFinding>,
    pub redis_off_configs: Vec<u32>,
    /// `even-quorum-replicas`: StatefulSets that run data stores, their pod
    /// labels, ...
    pub members: Vec<quorum::Member>,
    pub labels: Vec<(Sym, Sym)>,
    /// ... and those with an even member count of a quorum store.
    pub even_quorum: Vec<quorum::EvenQuorum>,
    /// The StorageClass family: claim templates that ask for a class, the
    /// typed StatefulSets that list them, and the StorageClasses.
    pub templates: Vec<classes::ClaimTemplate>,
    pub sts_claims: Vec<classes::StsClaims>,
    pub classes: Vec<classes::ClassFact>,
}

/// An object of kind `PersistentVolumeClaim`, as `shared-volume-claim` sees
/// it when a workload mounts it by name.
pub struct ClaimFact {
    pub local: u32,
    /// ReadWriteMany or ReadOnlyMany among its access modes.
    pub shareable: bool,
    /// Its access modes, joined with ", " (`None`: none known, or untyped).
    pub modes: Option<Sym>,
    /// The key `spec.accessModes` (or its nearest parent).
    pub access_modes: ByteSpan,
}

/// A pod volume of a workload with two or more replicas that mounts a claim
/// (not a claim template, not read-only): it reports unless the claim is
/// meant to be shared.
pub struct SharedMount {
    pub local: u32,
    pub replicas: i32,
    /// The volume's place in the pod's `volumes`.
    pub volume: u32,
    pub claim: Sym,
    /// The value of `…volumes[i].persistentVolumeClaim.claimName`.
    pub span: ByteSpan,
}

/// The pod spec of the workloads that can mount a claim on several replicas
/// (StatefulSet, Deployment, ReplicaSet; see [`Object::pod`]).
pub const TEMPLATE_SPEC: &str = "spec.template.spec";

/// Record what the storage rules need to know about `obj`, the `local`-th
/// object of its file.
pub fn extract(obj: &Object, local: u32, x: &Extract<'_>, out: &mut FileStorage) {
    if obj.kind == "PersistentVolumeClaim" {
        claim(obj, local, x, out);
    }
    shared_mounts(obj, local, x, out);
    ephemeral::extract(obj, local, x, out);
    quorum::extract(obj, local, x, out);
    classes::extract(obj, local, x, out);
}

fn claim(obj: &Object, local: u32, x: &Extract<'_>, out: &mut FileStorage) {
    let modes: &[String] = match &obj.typed {
        Typed::PersistentVolumeClaim(c) => c
            .spec
            .as_ref()
            .and_then(|s| s.access_modes.as_deref())
            .unwrap_or_default(),
        _ => &[],
    };
    out.claims.push(ClaimFact {
        local,
        shareable: modes
            .iter()
            .any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany"),
        modes: (!modes.is_empty()).then(|| x.sym(&modes.join(", "))),
        access_modes: locate(&obj.node, "spec.accessModes", false).0,
    });
}

fn shared_mounts(obj: &Object, local: u32, x: &Extract<'_>, out: &mut FileStorage) {
    if !matches!(
        obj.typed,
        Typed::StatefulSet(_) | Typed::Deployment(_) | Typed::ReplicaSet(_)
    ) {
        return;
    }
    let replicas = obj.replicas().unwrap_or(1);
    if replicas < 2 {
        return;
    }
    let Some(pod) = obj.pod() else { return };
    debug_assert_eq!(pod.spec_path, TEMPLATE_SPEC);
    // A volumeClaimTemplate takes precedence over a volume of the same name.
    let templates: Vec<&str> = obj
        .statefulset()
        .map(|s| {
            s.spec
                .volume_claim_templates
                .iter()
                .flatten()
                .filter_map(|t| t.metadata.name.as_deref())
                .collect()
        })
        .unwrap_or_default();
    for (i, v) in pod.spec.volumes.iter().flatten().enumerate() {
        let Some(pvc) = v.persistent_volume_claim.as_ref() else {
            continue;
        };
        // A read-only mount never reports, whatever the claim says.
        if templates.contains(&v.name.as_str()) || pvc.read_only == Some(true) {
            continue;
        }
        let field = format!(
            "{}.volumes[{i}].persistentVolumeClaim.claimName",
            pod.spec_path
        );
        out.shared_mounts.push(SharedMount {
            local,
            replicas,
            volume: i as u32,
            claim: x.sym(&pvc.claim_name),
            span: locate(&obj.node, &field, true).0,
        });
    }
}

impl FileStorage {
    /// Give back the spare room of every list once the file is read: a run
    /// keeps the facts of every file.
    pub fn shrink(&mut self) {
        trim(&mut self.claims);
        trim(&mut self.shared_mounts);
        trim(&mut self.syms);
        trim(&mut self.ephemeral);
        trim(&mut self.redis_off_configs);
        trim(&mut self.members);
        trim(&mut self.labels);
        trim(&mut self.even_quorum);
        trim(&mut self.templates);
        trim(&mut self.sts_claims);
        trim(&mut self.classes);
    }
}
