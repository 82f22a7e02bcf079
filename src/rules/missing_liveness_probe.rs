//! `missing-liveness-probe` — documented in rules/missing-liveness-probe.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct MissingLivenessProbe;

impl Rule for MissingLivenessProbe {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            if c.container.liveness_probe.is_none() {
                out.report(
                    format!("{}.livenessProbe", c.path),
                    format!("container `{}` of {} `{}` has no liveness probe: a hung process is never restarted", c.container.name, obj.kind, obj.name),
                )
                .label("no livenessProbe")
                .help("add a `livenessProbe` that fails only when the process is stuck (not when a dependency is down)");
            }
        }
    }
}
