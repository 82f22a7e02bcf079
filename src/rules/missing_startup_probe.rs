//! `missing-startup-probe` — documented in rules/missing-startup-probe.md

use crate::catalog::container_store;
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct MissingStartupProbe;

impl Rule for MissingStartupProbe {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            let Some(store) = container_store(c.container) else { continue };
            if c.container.liveness_probe.is_some() && c.container.startup_probe.is_none() {
                out.report(
                    format!("{}.livenessProbe", c.path),
                    format!(
                        "{} container `{}` of {} `{}` has a liveness probe but no startup probe: a long recovery or initial load gets it killed and restarted",
                        store.name, c.container.name, obj.kind, obj.name
                    ),
                )
                .label("liveness probe without a startup probe")
                .help("add a `startupProbe` (same check, `failureThreshold` × `periodSeconds` covering the longest start) so the liveness probe only runs once the database is up");
            }
        }
    }
}
