//! `shared-volume-claim` — documented in rules/shared-volume-claim.md

use std::collections::HashMap;

use crate::facts::storage::{ClaimFact, TEMPLATE_SPEC};
use crate::facts::{FactRule, FactSink, Facts, Sym, TypedTag};
use crate::source::FileId;

pub struct SharedVolumeClaim;

impl FactRule for SharedVolumeClaim {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        if facts.batches.iter().all(|b| b.storage.shared_mounts.is_empty()) {
            return;
        }
        // The claims by namespace and name (the last of several, in canonical
        // order), whatever their type: an untyped one has no known modes.
        let mut claims: HashMap<(Option<Sym>, Sym), (FileId, &ClaimFact)> = HashMap::new();
        for (b, bf) in facts.batches() {
            for c in &bf.storage.claims {
                let id = facts.id(b, c.local as usize);
                let ident = facts.ident(id);
                claims.insert((ident.namespace, ident.name), (ident.file, c));
            }
        }
        for (b, bf) in facts.batches() {
            for m in &bf.storage.shared_mounts {
                let id = facts.id(b, m.local as usize);
                let ident = facts.ident(id);
                // A claim that is meant to be shared (ReadWriteMany / ReadOnlyMany) is fine.
                let claim = claims.get(&(ident.namespace, m.claim));
                if claim.is_some_and(|(_, c)| c.shareable) {
                    continue;
                }
                let known = match claim.and_then(|(_, c)| c.modes) {
                    None => "its access mode is unknown here".to_string(),
                    Some(modes) => format!("it is {}", facts.str(modes)),
                };
                let d = out
                    .report(
                        id,
                        format!("{TEMPLATE_SPEC}.volumes[{}].persistentVolumeClaim.claimName", m.volume),
                        m.span,
                        format!(
                            "all {} replicas of {} `{}` mount the one claim `{}` ({known}): with ReadWriteOnce, pods on other nodes cannot attach it; on one node, several writers corrupt the data",
                            m.replicas,
                            facts.str(ident.kind),
                            facts.str(ident.name),
                            facts.str(m.claim)
                        ),
                    )
                    .label("one claim for every replica")
                    .help(if ident.typed == TypedTag::StatefulSet {
                        "move the claim into `volumeClaimTemplates` so each pod gets its own"
                    } else {
                        "give each replica its own volume: run the workload as a StatefulSet with `volumeClaimTemplates`"
                    });
                if let Some((file, c)) = claim {
                    d.related(*file, c.access_modes, "the claim's access modes");
                }
            }
        }
    }
}
