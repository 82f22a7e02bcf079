//! `missing-resources` — documented in rules/missing-resources.md

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct MissingResources;

impl Rule for MissingResources {
    fn check<'a>(&self, obj: &'a Object, _cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            let r = c.container.resources.as_ref();
            let req = |k: &str| r.and_then(|r| r.requests.as_ref()).is_some_and(|m| m.contains_key(k));
            let lim = |k: &str| r.and_then(|r| r.limits.as_ref()).is_some_and(|m| m.contains_key(k));
            // A limit without a request makes the request equal to the limit.
            let mut missing = Vec::new();
            if !req("cpu") && !lim("cpu") {
                missing.push("CPU request");
            }
            if !req("memory") && !lim("memory") {
                missing.push("memory request");
            }
            if !lim("memory") {
                missing.push("memory limit");
            }
            if missing.is_empty() {
                continue;
            }
            let field = format!("{}.resources", c.path);
            out.report(
                field,
                format!(
                    "container `{}` of {} `{}` has no {}: the scheduler cannot place it by what it needs, and it can take memory from its neighbours",
                    c.container.name,
                    obj.kind,
                    obj.name,
                    missing.join(", ")
                ),
            )
            .label(format!("no {}", missing.join(", ")))
            .help("set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory` (a CPU limit is optional: it throttles rather than protects)");
        }
    }
}
