//! `shared-volume-claim` — documented in rules/shared-volume-claim.md

use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct SharedVolumeClaim;

impl Rule for SharedVolumeClaim {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if !matches!(obj.typed, Typed::StatefulSet(_) | Typed::Deployment(_) | Typed::ReplicaSet(_)) {
            return;
        }
        let replicas = obj.replicas().unwrap_or(1);
        if replicas < 2 {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let ns = obj.namespace.as_deref();
        // A volumeClaimTemplate takes precedence over a volume of the same name.
        let templates: Vec<&str> = obj
            .statefulset()
            .map(|s| s.spec.volume_claim_templates.iter().flatten().filter_map(|t| t.metadata.name.as_deref()).collect())
            .unwrap_or_default();
        for (i, v) in pod.spec.volumes.iter().flatten().enumerate() {
            let Some(pvc) = v.persistent_volume_claim.as_ref() else { continue };
            if templates.contains(&v.name.as_str()) {
                continue;
            }
            // A claim that is meant to be shared (ReadWriteMany / ReadOnlyMany) is fine.
            let claim = cx.index.named(ns, "PersistentVolumeClaim", &pvc.claim_name).last().copied();
            let modes: Vec<String> = match claim.map(|c| &c.typed) {
                Some(Typed::PersistentVolumeClaim(c)) => c.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default(),
                _ => Vec::new(),
            };
            if modes.iter().any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany") || pvc.read_only == Some(true) {
                continue;
            }
            let known = if modes.is_empty() { "its access mode is unknown here".to_string() } else { format!("it is {}", modes.join(", ")) };
            let p = out.report(
                format!("{}.volumes[{i}].persistentVolumeClaim.claimName", pod.spec_path),
                format!(
                    "all {replicas} replicas of {} `{}` mount the one claim `{}` ({known}): with ReadWriteOnce, pods on other nodes cannot attach it; on one node, several writers corrupt the data",
                    obj.kind, obj.name, pvc.claim_name
                ),
            );
            p.on_value()
                .label("one claim for every replica")
                .help(if obj.statefulset().is_some() {
                    "move the claim into `volumeClaimTemplates` so each pod gets its own"
                } else {
                    "give each replica its own volume: run the workload as a StatefulSet with `volumeClaimTemplates`"
                });
            if let Some(c) = claim {
                p.related(c, "spec.accessModes", "the claim's access modes");
            }
        }
    }
}
