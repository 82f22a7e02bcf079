//! `missing-storage-class` — documented in rules/missing-storage-class.md

use crate::facts::storage::classes::{Choice, Tables};
use crate::facts::{FactRule, FactSink, Facts};

pub struct MissingStorageClass;

impl FactRule for MissingStorageClass {
    fn check(&self, facts: &Facts, out: &mut FactSink) {
        let tables = Tables::get(facts);
        for (sts, file, _, t, _) in tables.all_claims(facts) {
            // The beta annotation still selects a class; only a claim
            // that names none at all gets the cluster's default.
            if t.choice != Choice::Default {
                continue;
            }
            // Any object of kind StorageClass annotated as the
            // default names it, typed or not.
            let default = facts
                .nearest(file, &tables.defaults)
                .map_or("whatever class the cluster marks as default".to_string(), |d| format!("the default class (`{}` among the linted objects)", facts.name(d)));
            out.report(
                sts,
                t.field(),
                t.span,
                format!("volumeClaimTemplate `{}` of StatefulSet `{}` names no storageClassName: its volumes get {default}, which differs between clusters", facts.str(t.name), facts.name(sts)),
            )
            .label("no storageClassName")
            .help("name the class the data needs (`storageClassName: fast-ssd`), or `\"\"` for pre-provisioned volumes");
        }
    }
}
