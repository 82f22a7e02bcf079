//! `volume-expansion-disabled` — documented in rules/volume-expansion-disabled.md

use crate::facts::storage::classes::Tables;
use crate::facts::{FactRule, FactSink, Facts};

pub struct VolumeExpansionDisabled;

impl FactRule for VolumeExpansionDisabled {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let tables = Tables::get(facts);
        for (b, bf) in facts.batches() {
            for c in &bf.storage.classes {
                // Volumes cannot grow (local volumes never can: not reported).
                let Some(v) = c.no_expansion else { continue };
                let class = facts.id(b, c.local as usize);
                let Some(&(sts, sts_batch, t)) = tables.first_user.get(&class) else { continue };
                let Some(claim) = facts.batches[sts_batch.0 as usize].storage.templates.get(t) else { continue };
                let at = if v.written { "allowVolumeExpansion" } else { "metadata.name" };
                out.report(
                    class,
                    at,
                    v.span,
                    format!(
                        "StorageClass `{}` does not allow volume expansion: when StatefulSet `{}` fills its disks, growing them means migrating the data to new volumes",
                        facts.name(class),
                        facts.name(sts)
                    ),
                )
                .label("volumes cannot grow")
                .help("set `allowVolumeExpansion: true` (the provisioner must support it; most CSI block drivers do)")
                .related(facts.ident(sts).file, claim.span, format!("StatefulSet `{}` uses this class", facts.name(sts)));
            }
        }
    }
}
