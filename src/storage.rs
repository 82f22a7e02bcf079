//! Which StorageClass each volumeClaimTemplate of a StatefulSet uses, and what
//! stslint knows about provisioners.

use k8s_openapi::api::storage::v1::StorageClass;

use crate::index::Index;
use crate::manifest::{Object, Typed};

/// A volumeClaimTemplate and the linted StorageClass it resolves to.
pub struct ClaimClass<'a> {
    pub claim: &'a str,
    pub class: &'a Object,
    pub sc: &'a StorageClass,
    /// No `storageClassName`: the class annotated as the cluster default.
    pub default: bool,
    /// Where to point in the StatefulSet: the `storageClassName` value, or the
    /// claim's name when the default class applies.
    pub field: String,
}

/// The classes a StatefulSet's claims use, among the linted objects. Claims
/// with `storageClassName: ""` (static provisioning) and classes not linted
/// are left out.
pub fn claim_classes<'a>(obj: &'a Object, index: &Index<'a>) -> Vec<ClaimClass<'a>> {
    let Some(sts) = obj.statefulset() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, vct) in sts.spec.volume_claim_templates.iter().flatten().enumerate() {
        let named = vct
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_deref());
        let (class, field) = match named {
            Some("") => continue,
            Some(n) => (
                index.storage_class(n),
                format!("spec.volumeClaimTemplates[{i}].spec.storageClassName"),
            ),
            None => (
                index.default_storage_class(),
                format!("spec.volumeClaimTemplates[{i}].metadata.name"),
            ),
        };
        let Some(class) = class else { continue };
        let Typed::StorageClass(sc) = &class.typed else {
            continue;
        };
        out.push(ClaimClass {
            claim: vct.metadata.name.as_deref().unwrap_or("?"),
            class,
            sc,
            default: named.is_none(),
            field,
        });
    }
    out
}

/// The StatefulSets (with the field to point at) whose claims use `class`.
pub fn users<'a>(class: &Object, index: &Index<'a>) -> Vec<(&'a Object, String)> {
    let mut out = Vec::new();
    for sts in index.of_kind("StatefulSet") {
        for cc in claim_classes(sts, index) {
            if std::ptr::eq(cc.class, class) {
                out.push((sts, cc.field));
            }
        }
    }
    out
}

/// The kind of zonal disk a class provisions, when stslint knows the provisioner.
pub fn zonal_disk(sc: &StorageClass) -> Option<&'static str> {
    let param = |k: &str| {
        sc.parameters.as_ref().and_then(|p| {
            p.iter()
                .find(|(pk, _)| pk.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.to_ascii_lowercase())
        })
    };
    match sc.provisioner.as_str() {
        "kubernetes.io/gce-pd" | "pd.csi.storage.gke.io" => (param("replication-type").as_deref()
            != Some("regional-pd"))
        .then_some("GCE persistent"),
        "kubernetes.io/aws-ebs" | "ebs.csi.aws.com" => Some("AWS EBS"),
        "kubernetes.io/azure-disk" | "disk.csi.azure.com" => {
            let sku = param("skuName")
                .or_else(|| param("storageaccounttype"))
                .unwrap_or_default();
            (!sku.ends_with("_zrs")).then_some("Azure")
        }
        "kubernetes.io/cinder" | "cinder.csi.openstack.org" => Some("OpenStack Cinder"),
        _ => None,
    }
}

/// Whether where a volume can live constrains where its pod can run: zonal
/// disks, local volumes, or classes restricted by `allowedTopologies`.
pub fn topology_constrained(sc: &StorageClass) -> bool {
    zonal_disk(sc).is_some()
        || matches!(
            sc.provisioner.as_str(),
            "kubernetes.io/no-provisioner" | "kubernetes.io/gce-pd" | "pd.csi.storage.gke.io"
        )
        || sc
            .allowed_topologies
            .as_ref()
            .is_some_and(|t| !t.is_empty())
}
