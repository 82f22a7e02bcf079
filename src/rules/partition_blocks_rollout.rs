//! `partition-blocks-rollout` — documented in rules/partition-blocks-rollout.md

use crate::diagnostic::Severity;
use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct PartitionBlocksRollout;

impl Rule for PartitionBlocksRollout {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        let Some(strategy) = sts.spec.update_strategy.as_ref() else { return };
        if strategy.type_.as_deref() == Some("OnDelete") {
            out.report("spec.updateStrategy.type", format!("StatefulSet `{}` updates pods only when someone deletes them (`OnDelete`): a changed template is not rolled out by itself", obj.name))
                .on_value()
                .severity(Severity::Note)
                .label("manual rollout")
                .help("if manual rollouts are not the plan, use `RollingUpdate` (with a `partition` for staged rollouts)");
            return;
        }
        let replicas = sts.spec.replicas.unwrap_or(1);
        let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) else { return };
        if partition >= replicas {
            out.report(
                "spec.updateStrategy.rollingUpdate.partition",
                format!(
                    "StatefulSet `{}` has `partition: {partition}` and {replicas} replica(s): only ordinals ≥ {partition} are updated, so no pod will ever roll to a new template",
                    obj.name
                ),
            )
            .on_value()
            .label("no ordinal is at or above the partition")
            .help(format!("lower the partition (0 rolls out to every pod; {} canaries the highest ordinal)", (replicas - 1).max(0)));
        }
    }
}
