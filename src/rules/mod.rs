//! The rule registry: one line per rule. Each line declares the module, names
//! the type and its public id, and embeds `rules/<id>.md` (a missing doc is a
//! compile error).

use std::sync::OnceLock;

use crate::rule::{parse_doc, Meta, Rule};

pub struct Entry {
    pub id: &'static str,
    pub doc: &'static str,
    pub rule: &'static dyn Rule,
}

macro_rules! rules {
    ($($module:ident :: $ty:ident => $id:literal,)*) => {
        $(mod $module;)*
        /// Every rule, in id order.
        pub static ALL: &[Entry] = &[
            $(Entry {
                id: $id,
                doc: include_str!(concat!("../../rules/", $id, ".md")),
                rule: &$module::$ty,
            },)*
        ];
    };
}

rules! {
    hardcoded_credential::HardcodedCredential => "hardcoded-credential",
    missing_anti_affinity::MissingAntiAffinity => "missing-anti-affinity",
    missing_backup::MissingBackup => "missing-backup",
    missing_headless_service::MissingHeadlessService => "missing-headless-service",
    missing_liveness_probe::MissingLivenessProbe => "missing-liveness-probe",
    missing_pdb::MissingPdb => "missing-pdb",
    missing_readiness_probe::MissingReadinessProbe => "missing-readiness-probe",
    missing_startup_probe::MissingStartupProbe => "missing-startup-probe",
    parallel_database_startup::ParallelDatabaseStartup => "parallel-database-startup",
    single_zone_storage::SingleZoneStorage => "single-zone-storage",
}

/// Metadata of every rule, parsed once from the embedded docs. A malformed doc
/// is a build-time test failure (`tests/registry.rs`); at run time it panics
/// with the doc's path, since the binary itself is broken.
pub fn metas() -> &'static [Meta] {
    static METAS: OnceLock<Vec<Meta>> = OnceLock::new();
    METAS.get_or_init(|| {
        ALL.iter()
            .map(|e| parse_doc(e.id, e.doc).unwrap_or_else(|err| panic!("{err}")))
            .collect()
    })
}

pub fn meta(id: &str) -> Option<&'static Meta> {
    metas().iter().find(|m| m.id == id)
}
