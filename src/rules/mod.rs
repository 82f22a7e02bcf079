//! The rule registry: one line per rule. Each line declares the module, names
//! the type and its public id, and embeds `rules/<id>.md` (a missing doc is a
//! compile error).

use std::sync::OnceLock;

use crate::facts::FactRule;
use crate::rule::{parse_doc, Meta, Rule};

pub struct Entry {
    pub id: &'static str,
    pub doc: &'static str,
    pub rule: Check,
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// On one object at a time, while its file is read.
    Local(&'static dyn Rule),
    /// Once every file is read, on the facts recorded while reading them.
    Facts(&'static dyn FactRule),
}

macro_rules! rules {
    ($($scope:ident $module:ident :: $ty:ident => $id:literal,)*) => {
        $(mod $module;)*
        /// Every rule, in id order.
        pub static ALL: &[Entry] = &[
            $(Entry {
                id: $id,
                doc: include_str!(concat!("../../rules/", $id, ".md")),
                rule: Check::$scope(&$module::$ty),
            },)*
        ];
    };
}

rules! {
    Facts dangling_selector::DanglingSelector => "dangling-selector",
    Local database_in_deployment::DatabaseInDeployment => "database-in-deployment",
    Local duplicate_env_var::DuplicateEnvVar => "duplicate-env-var",
    Local duplicate_key::DuplicateKey => "duplicate-key",
    Facts duplicate_object::DuplicateObject => "duplicate-object",
    Facts ephemeral_data::EphemeralData => "ephemeral-data",
    Facts even_quorum_replicas::EvenQuorumReplicas => "even-quorum-replicas",
    Local hardcoded_credential::HardcodedCredential => "hardcoded-credential",
    Facts immediate_volume_binding::ImmediateVolumeBinding => "immediate-volume-binding",
    Local invalid_value::InvalidValue => "invalid-value",
    Facts missing_anti_affinity::MissingAntiAffinity => "missing-anti-affinity",
    Facts missing_backup::MissingBackup => "missing-backup",
    Facts missing_headless_service::MissingHeadlessService => "missing-headless-service",
    Local missing_liveness_probe::MissingLivenessProbe => "missing-liveness-probe",
    Facts missing_pdb::MissingPdb => "missing-pdb",
    Local missing_readiness_probe::MissingReadinessProbe => "missing-readiness-probe",
    Local missing_resources::MissingResources => "missing-resources",
    Local missing_security_context::MissingSecurityContext => "missing-security-context",
    Local missing_startup_probe::MissingStartupProbe => "missing-startup-probe",
    Facts missing_storage_class::MissingStorageClass => "missing-storage-class",
    Local mutable_image_tag::MutableImageTag => "mutable-image-tag",
    Local parallel_database_startup::ParallelDatabaseStartup => "parallel-database-startup",
    Local partition_blocks_rollout::PartitionBlocksRollout => "partition-blocks-rollout",
    Facts pdb_blocks_eviction::PdbBlocksEviction => "pdb-blocks-eviction",
    Local pgdata_not_subdirectory::PgdataNotSubdirectory => "pgdata-not-subdirectory",
    Local privileged_container::PrivilegedContainer => "privileged-container",
    Local pvc_deleted_with_statefulset::PvcDeletedWithStatefulset => "pvc-deleted-with-statefulset",
    Local removed_api_version::RemovedApiVersion => "removed-api-version",
    Local selector_mismatch::SelectorMismatch => "selector-mismatch",
    Facts shared_volume_claim::SharedVolumeClaim => "shared-volume-claim",
    Local short_termination_grace::ShortTerminationGrace => "short-termination-grace",
    Facts single_zone_storage::SingleZoneStorage => "single-zone-storage",
    Local undeclared_probe_port::UndeclaredProbePort => "undeclared-probe-port",
    Local unknown_field::UnknownField => "unknown-field",
    Local unmounted_claim_template::UnmountedClaimTemplate => "unmounted-claim-template",
    Facts unsafe_backup_job::UnsafeBackupJob => "unsafe-backup-job",
    Facts volume_expansion_disabled::VolumeExpansionDisabled => "volume-expansion-disabled",
    Local yaml_1_1_literal::Yaml11Literal => "yaml-1.1-literal",
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
