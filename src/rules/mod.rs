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
    dangling_selector::DanglingSelector => "dangling-selector",
    database_in_deployment::DatabaseInDeployment => "database-in-deployment",
    duplicate_env_var::DuplicateEnvVar => "duplicate-env-var",
    duplicate_key::DuplicateKey => "duplicate-key",
    duplicate_object::DuplicateObject => "duplicate-object",
    ephemeral_data::EphemeralData => "ephemeral-data",
    even_quorum_replicas::EvenQuorumReplicas => "even-quorum-replicas",
    hardcoded_credential::HardcodedCredential => "hardcoded-credential",
    immediate_volume_binding::ImmediateVolumeBinding => "immediate-volume-binding",
    invalid_value::InvalidValue => "invalid-value",
    missing_anti_affinity::MissingAntiAffinity => "missing-anti-affinity",
    missing_backup::MissingBackup => "missing-backup",
    missing_headless_service::MissingHeadlessService => "missing-headless-service",
    missing_liveness_probe::MissingLivenessProbe => "missing-liveness-probe",
    missing_pdb::MissingPdb => "missing-pdb",
    missing_readiness_probe::MissingReadinessProbe => "missing-readiness-probe",
    missing_resources::MissingResources => "missing-resources",
    missing_security_context::MissingSecurityContext => "missing-security-context",
    missing_startup_probe::MissingStartupProbe => "missing-startup-probe",
    missing_storage_class::MissingStorageClass => "missing-storage-class",
    mutable_image_tag::MutableImageTag => "mutable-image-tag",
    parallel_database_startup::ParallelDatabaseStartup => "parallel-database-startup",
    partition_blocks_rollout::PartitionBlocksRollout => "partition-blocks-rollout",
    pdb_blocks_eviction::PdbBlocksEviction => "pdb-blocks-eviction",
    pgdata_not_subdirectory::PgdataNotSubdirectory => "pgdata-not-subdirectory",
    privileged_container::PrivilegedContainer => "privileged-container",
    pvc_deleted_with_statefulset::PvcDeletedWithStatefulset => "pvc-deleted-with-statefulset",
    removed_api_version::RemovedApiVersion => "removed-api-version",
    selector_mismatch::SelectorMismatch => "selector-mismatch",
    shared_volume_claim::SharedVolumeClaim => "shared-volume-claim",
    short_termination_grace::ShortTerminationGrace => "short-termination-grace",
    single_zone_storage::SingleZoneStorage => "single-zone-storage",
    undeclared_probe_port::UndeclaredProbePort => "undeclared-probe-port",
    unknown_field::UnknownField => "unknown-field",
    unmounted_claim_template::UnmountedClaimTemplate => "unmounted-claim-template",
    unsafe_backup_job::UnsafeBackupJob => "unsafe-backup-job",
    volume_expansion_disabled::VolumeExpansionDisabled => "volume-expansion-disabled",
    yaml_1_1_literal::Yaml11Literal => "yaml-1.1-literal",
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
