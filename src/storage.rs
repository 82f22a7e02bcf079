//! Which StorageClass each volumeClaimTemplate of a StatefulSet uses, and what
//! stslint knows about provisioners.

use std::collections::BTreeSet;

use k8s_openapi::api::storage::v1::StorageClass;

use crate::manifest::Object;

/// The annotation that selected a claim's class before `storageClassName`
/// existed. Kubernetes still honours it, and it wins over `storageClassName`.
pub const CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// How a volumeClaimTemplate chooses its StorageClass, as Kubernetes reads it.
pub enum ClassChoice {
    /// A class by name, with the field that names it.
    Named { name: String, field: String },
    /// Neither the annotation nor `storageClassName`: the cluster default.
    Default,
    /// `storageClassName: ""` (or an empty annotation): pre-provisioned volumes.
    Static,
}

/// The class choice of `spec.volumeClaimTemplates[i]`: the beta annotation
/// first, then `storageClassName`.
pub fn claim_class_choice(
    vct: &k8s_openapi::api::core::v1::PersistentVolumeClaim,
    i: usize,
) -> ClassChoice {
    let annotated = vct
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CLASS_ANNOTATION));
    let (name, field) = match annotated {
        Some(n) => (
            n.as_str(),
            crate::path::join_key(
                &format!("spec.volumeClaimTemplates[{i}].metadata.annotations"),
                CLASS_ANNOTATION,
            ),
        ),
        None => match vct
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_deref())
        {
            Some(n) => (
                n,
                format!("spec.volumeClaimTemplates[{i}].spec.storageClassName"),
            ),
            None => return ClassChoice::Default,
        },
    };
    if name.is_empty() {
        ClassChoice::Static
    } else {
        ClassChoice::Named {
            name: name.to_string(),
            field,
        }
    }
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

/// Whether an object (of kind `StorageClass`, typed or not) is annotated as
/// the cluster default.
pub fn is_default_class(o: &Object) -> bool {
    const KEYS: [&str; 2] = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ];
    KEYS.iter().any(|k| {
        o.annotation(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    })
}

/// Node labels that name a zone, as StorageClass `allowedTopologies` use them.
const ZONE_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.gke.io/zone",
    "topology.ebs.csi.aws.com/zone",
    "topology.disk.csi.azure.com/zone",
    "topology.cinder.csi.openstack.org/zone",
];

/// The single zone a class restricts its volumes to, with the field that says so.
pub fn pinned_zone(sc: &StorageClass) -> Option<(String, String)> {
    let mut zones = BTreeSet::new();
    let mut field = None;
    for (t, term) in sc.allowed_topologies.iter().flatten().enumerate() {
        for (e, expr) in term.match_label_expressions.iter().flatten().enumerate() {
            if ZONE_LABELS.contains(&expr.key.as_str()) {
                zones.extend(expr.values.iter().cloned());
                field.get_or_insert(format!(
                    "allowedTopologies[{t}].matchLabelExpressions[{e}].values"
                ));
            }
        }
    }
    if field.is_none() {
        // The in-tree GCE/AWS provisioners' `zone` parameter.
        if let Some(z) = sc.parameters.as_ref().and_then(|p| p.get("zone")) {
            zones.insert(z.clone());
            field = Some("parameters.zone".into());
        }
    }
    let field = field?;
    (zones.len() == 1).then(|| (zones.into_iter().next().unwrap_or_default(), field))
}
