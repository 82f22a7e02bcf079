//! `single-zone-storage` — documented in rules/single-zone-storage.md

use crate::facts::storage::classes::{class_fact, Choice, Tables};
use crate::facts::{FactRule, FactSink, Facts};

pub struct SingleZoneStorage;

impl FactRule for SingleZoneStorage {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let tables = Tables::get(facts);
        for (sts, _, s, t, class) in tables.all_claims(facts) {
            let Some(class) = class else { continue };
            let Some(sc) = class_fact(facts, class) else { continue };
            let via = if t.choice == Choice::Default { " (the default class)" } else { "" };
            let class_file = facts.ident(class).file;
            let (claim, class_name) = (facts.str(t.name), facts.name(class));
            if let Some((zone, zone_at)) = sc.pinned {
                let zone = facts.str(zone);
                out.report(
                    sts,
                    t.field(),
                    t.span,
                    format!(
                        "StorageClass `{class_name}`{via} pins every `{claim}` volume of StatefulSet `{}` to zone `{zone}`: a zone outage takes all replicas' data offline",
                        facts.name(sts)
                    ),
                )
                .label("volumes pinned to one zone")
                .help("allow several zones in the StorageClass's `allowedTopologies` (with `volumeBindingMode: WaitForFirstConsumer`), or use a regional / replicated class")
                .related(class_file, zone_at, format!("only zone `{zone}` is allowed here"));
                continue;
            }
            let replicas = s.replicas;
            if replicas >= 2 && !s.zone_spread {
                if let Some((kind, provisioner)) = sc.zonal {
                    out.report(
                        sts,
                        t.field(),
                        t.span,
                        format!(
                            "StorageClass `{class_name}`{via} provisions zonal {kind} disks, and StatefulSet `{}` does not spread its {replicas} replicas across zones: they, and their data, may all sit in one zone",
                            facts.name(sts)
                        ),
                    )
                    .label("zonal disks, pods not spread across zones")
                    .help("spread the pods with a topologySpreadConstraint (or anti-affinity) on `topology.kubernetes.io/zone`, or use a regional class (e.g. GCE `replication-type: regional-pd`)")
                    .related(class_file, provisioner, format!("{kind} disks live in a single zone"));
                }
            }
        }
    }
}
