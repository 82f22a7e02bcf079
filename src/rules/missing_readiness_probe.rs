//! `missing-readiness-probe` — documented in rules/missing-readiness-probe.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct MissingReadinessProbe;

impl Rule for MissingReadinessProbe {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for (i, c) in pod.containers(false).into_iter().enumerate() {
            // A sidecar that serves no port takes no traffic: readiness has
            // nothing to gate (the first container is the pod's main one).
            let serves = c.container.ports.as_ref().is_some_and(|p| !p.is_empty());
            if i > 0 && !serves {
                continue;
            }
            if c.container.readiness_probe.is_none() {
                // An ordered StatefulSet also waits for Ready before the next pod.
                let waits = if obj.statefulset().is_some() {
                    "Services send traffic, and the next ordered pod starts, as soon as it runs, not when it is ready"
                } else {
                    "Services send it traffic, and rollouts move on, as soon as it runs, not when it is ready"
                };
                out.report(
                    format!("{}.readinessProbe", c.path),
                    format!(
                        "container `{}` of {} `{}` has no readiness probe: {waits}",
                        c.container.name, obj.kind, obj.name
                    ),
                )
                .label("no readinessProbe")
                .help("add a `readinessProbe` that succeeds only when the container can serve (for a database: accepts queries)");
            }
        }
    }
}
