//! `short-termination-grace` — documented in rules/short-termination-grace.md

use crate::catalog::container_store;
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct ShortTerminationGrace;

/// Kubernetes' default, and the least a database should get.
const MIN_GRACE: i64 = 30;

impl Rule for ShortTerminationGrace {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        if !obj.is_long_running() {
            return;
        }
        let Some(pod) = obj.pod() else { return };
        let Some(grace) = pod.spec.termination_grace_period_seconds else { return };
        if grace >= MIN_GRACE {
            return;
        }
        let Some(store) = pod.containers(false).iter().find_map(|c| container_store(c.container)) else {
            return;
        };
        out.report(
            format!("{}.terminationGracePeriodSeconds", pod.spec_path),
            format!(
                "{} `{}` runs {} with `terminationGracePeriodSeconds: {grace}`: it is killed before it can flush, checkpoint or hand over leadership, and restarts into crash recovery",
                obj.kind, obj.name, store.name
            ),
        )
        .on_value()
        .label(format!("less than {MIN_GRACE} seconds"))
        .help(format!("give the database at least {MIN_GRACE} seconds (60 or more for large instances) to shut down cleanly"));
    }
}
