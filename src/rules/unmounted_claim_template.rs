//! `unmounted-claim-template` — documented in rules/unmounted-claim-template.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct UnmountedClaimTemplate;

impl Rule for UnmountedClaimTemplate {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        let Some(pod) = obj.pod() else { return };
        let containers = pod.containers(true);
        for (i, vct) in sts.spec.volume_claim_templates.iter().flatten().enumerate() {
            let Some(claim) = vct.metadata.name.as_deref() else { continue };
            let mounted = containers.iter().any(|c| {
                c.container.volume_mounts.iter().flatten().any(|m| m.name == claim)
                    || c.container.volume_devices.iter().flatten().any(|d| d.name == claim)
            });
            if mounted {
                continue;
            }
            out.report(
                format!("spec.volumeClaimTemplates[{i}].metadata.name"),
                format!(
                    "volumeClaimTemplate `{claim}` of StatefulSet `{}` is mounted by no container: each pod gets a disk it never writes to, and the data stays on the container's filesystem, lost on every restart",
                    obj.name
                ),
            )
            .on_value()
            .label("no volumeMount uses this claim")
            .help(format!("add `volumeMounts: [{{name: {claim}, mountPath: …}}]` to the container that keeps the data (the names must match exactly)"));
        }
    }
}
