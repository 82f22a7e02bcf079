//! `immediate-volume-binding` — documented in rules/immediate-volume-binding.md

use crate::facts::storage::classes::Tables;
use crate::facts::{FactRule, FactSink, Facts};

pub struct ImmediateVolumeBinding;

impl FactRule for ImmediateVolumeBinding {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let tables = Tables::get(facts);
        for (b, bf) in facts.batches() {
            for c in &bf.storage.classes {
                // Binds immediately while topology constrains its volumes.
                let Some(v) = c.immediate else { continue };
                let class = facts.id(b, c.local as usize);
                let Some(&(sts, sts_batch, t)) = tables.first_user.get(&class) else { continue };
                let Some(claim) = facts.batches[sts_batch.0 as usize].storage.templates.get(t) else { continue };
                let (at, how) = if v.written {
                    ("volumeBindingMode", "`volumeBindingMode: Immediate`")
                } else {
                    ("metadata.name", "the default `volumeBindingMode` (Immediate)")
                };
                out.report(
                    class,
                    at,
                    v.span,
                    format!(
                        "StorageClass `{}` uses {how}: each volume is created before its pod is scheduled, in a zone or node chosen without the pod's constraints, so StatefulSet `{}` pods can end up unschedulable",
                        facts.name(class),
                        facts.name(sts)
                    ),
                )
                .label("volumes bound before scheduling")
                .help("set `volumeBindingMode: WaitForFirstConsumer` so each volume is created where its pod is scheduled")
                .related(facts.ident(sts).file, claim.span, format!("StatefulSet `{}` uses this class", facts.name(sts)));
            }
        }
    }
}
