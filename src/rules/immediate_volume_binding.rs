//! `immediate-volume-binding` — documented in rules/immediate-volume-binding.md

use crate::facts::storage::classes::Tables;
use crate::facts::{FactRule, FactSink, Facts};
use crate::source::FileId;

pub struct ImmediateVolumeBinding;

impl FactRule for ImmediateVolumeBinding {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let tables = Tables::get(facts);
        for (f, ff) in facts.files.iter().enumerate() {
            for c in &ff.storage.classes {
                // Binds immediately while topology constrains its volumes.
                let Some(v) = c.immediate else { continue };
                let class = facts.id(FileId(f as u32), c.local as usize);
                let Some(&(sts, sts_file, t)) = tables.first_user.get(&class) else { continue };
                let Some(claim) = facts.files[sts_file.0 as usize].storage.templates.get(t) else { continue };
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
                .related(sts_file, claim.span, format!("StatefulSet `{}` uses this class", facts.name(sts)));
            }
        }
    }
}
