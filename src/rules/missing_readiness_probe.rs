//! `missing-readiness-probe` — documented in rules/missing-readiness-probe.md

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct MissingReadinessProbe;

impl Rule for MissingReadinessProbe {
    fn check<'a>(&self, obj: &'a Object, _cx: &Context<'a>, out: &mut Sink<'a>) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            if c.container.readiness_probe.is_none() {
                out.report(
                    format!("{}.readinessProbe", c.path),
                    format!(
                        "container `{}` of {} `{}` has no readiness probe: traffic (and the next ordered pod) does not wait for it to be ready",
                        c.container.name, obj.kind, obj.name
                    ),
                )
                .label("no readinessProbe")
                .help("add a `readinessProbe` that succeeds only when the container can serve (for a database: accepts queries)");
            }
        }
    }
}
