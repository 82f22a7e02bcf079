//! `even-quorum-replicas` — documented in rules/even-quorum-replicas.md

use crate::catalog::container_store;
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct EvenQuorumReplicas;

impl Rule for EvenQuorumReplicas {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        if obj.statefulset().is_none() {
            return;
        }
        let Some(replicas) = obj.replicas().filter(|r| *r >= 2 && r % 2 == 0) else { return };
        let Some(pod) = obj.pod() else { return };
        let Some(store) = pod
            .containers(false)
            .iter()
            .filter_map(|c| container_store(c.container))
            .find(|s| s.quorum)
        else {
            return;
        };
        // One ensemble split over several StatefulSets (persistent and
        // ephemeral members, one per zone) counts all its members: the same
        // store in the same namespace, pods sharing a label.
        let others: i32 = cx
            .index
            .ensemble_members(obj, store.engine)
            .iter()
            .map(|o| o.replicas().unwrap_or(1))
            .sum();
        if (replicas + others) % 2 == 1 {
            return;
        }
        let majority = replicas / 2 + 1;
        out.report(
            "spec.replicas",
            format!(
                "{} StatefulSet `{}` runs {replicas} members: a majority needs {majority}, so it survives {} failure(s), no more than {} members would, and a network split can leave no side with a majority",
                store.name,
                obj.name,
                replicas - majority,
                replicas - 1
            ),
        )
        .on_value()
        .label("even member count")
        .help(format!("run an odd number of members: {} (or {})", replicas - 1, replicas + 1));
    }
}
