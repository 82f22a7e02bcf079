//! `pvc-deleted-with-statefulset` — documented in rules/pvc-deleted-with-statefulset.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct PvcDeletedWithStatefulset;

impl Rule for PvcDeletedWithStatefulset {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        if sts.spec.volume_claim_templates.as_ref().is_none_or(Vec::is_empty) {
            return;
        }
        let Some(policy) = sts.spec.persistent_volume_claim_retention_policy.as_ref() else { return };
        for (field, value, when) in [
            ("whenDeleted", policy.when_deleted.as_deref(), "deleting the StatefulSet (a `kubectl delete`, a pruned GitOps sync, an uninstall) deletes every replica's data"),
            ("whenScaled", policy.when_scaled.as_deref(), "scaling down deletes the data of the removed replicas, so scaling back up starts them empty"),
        ] {
            if value == Some("Delete") {
                out.report(
                    format!("spec.persistentVolumeClaimRetentionPolicy.{field}"),
                    format!("StatefulSet `{}` deletes its PersistentVolumeClaims `{field}`: {when}", obj.name),
                )
                .on_value()
                .label("claims deleted with the pods")
                .help(format!("use `{field}: Retain` (the default) and delete claims deliberately once the data is backed up"));
            }
        }
    }
}
