//! `single-zone-storage` — documented in rules/single-zone-storage.md

use std::collections::BTreeSet;

use k8s_openapi::api::storage::v1::StorageClass;

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};
use crate::spread::{spreads, Level};
use crate::storage::{claim_classes, zonal_disk};

pub struct SingleZoneStorage;

/// Node labels that name a zone, as StorageClass `allowedTopologies` use them.
const ZONE_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.gke.io/zone",
    "topology.ebs.csi.aws.com/zone",
    "topology.disk.csi.azure.com/zone",
    "topology.cinder.csi.openstack.org/zone",
];

impl Rule for SingleZoneStorage {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        let replicas = sts.spec.replicas.unwrap_or(1);
        let ns = obj.namespace.as_deref();
        let zone_spread = obj.pod().is_some_and(|p| spreads(&p, ns, Level::Zone));
        for cc in claim_classes(obj, cx.index) {
            let via = if cc.default { " (the default class)" } else { "" };
            let (claim, class_obj) = (cc.claim, cc.class);
            if let Some((zone, sc_field)) = pinned_zone(cc.sc) {
                out.report(
                    &cc.field,
                    format!(
                        "StorageClass `{}`{via} pins every `{claim}` volume of StatefulSet `{}` to zone `{zone}`: a zone outage takes all replicas' data offline",
                        class_obj.name, obj.name
                    ),
                )
                .on_value()
                .label("volumes pinned to one zone")
                .help("allow several zones in the StorageClass's `allowedTopologies` (with `volumeBindingMode: WaitForFirstConsumer`), or use a regional / replicated class")
                .related_value(class_obj, sc_field, format!("only zone `{zone}` is allowed here"));
                continue;
            }
            if replicas >= 2 && !zone_spread {
                if let Some(kind) = zonal_disk(cc.sc) {
                    out.report(
                        &cc.field,
                        format!(
                            "StorageClass `{}`{via} provisions zonal {kind} disks, and StatefulSet `{}` does not spread its {replicas} replicas across zones: they, and their data, may all sit in one zone",
                            class_obj.name, obj.name
                        ),
                    )
                    .on_value()
                    .label("zonal disks, pods not spread across zones")
                    .help("spread the pods with a topologySpreadConstraint (or anti-affinity) on `topology.kubernetes.io/zone`, or use a regional class (e.g. GCE `replication-type: regional-pd`)")
                    .related_value(class_obj, "provisioner", format!("{kind} disks live in a single zone"));
                }
            }
        }
    }
}

/// The single zone a class restricts its volumes to, with the field that says so.
fn pinned_zone(sc: &StorageClass) -> Option<(String, String)> {
    let mut zones = BTreeSet::new();
    let mut field = None;
    for (t, term) in sc.allowed_topologies.iter().flatten().enumerate() {
        for (e, expr) in term.match_label_expressions.iter().flatten().enumerate() {
            if ZONE_LABELS.contains(&expr.key.as_str()) {
                zones.extend(expr.values.iter().cloned());
                field.get_or_insert(format!("allowedTopologies[{t}].matchLabelExpressions[{e}].values"));
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

