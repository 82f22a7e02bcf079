//! Container privileges shared by the security rules: `privileged-container`
//! reports them, `missing-security-context` leaves such containers to it.

use k8s_openapi::api::core::v1::Container;

/// Capabilities that give a container control over the node or over other
/// pods: everything the Pod Security Standards' baseline profile forbids that
/// is a known escape or node-wide lever. Not listed, on purpose: NET_RAW (in
/// the runtime's default set), IPC_LOCK, SYS_NICE and SYS_RESOURCE (what
/// databases legitimately add for `mlock`, priorities and rlimits).
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_PTRACE",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// The capability's name without `CAP_`, upper case (`cap_sys_admin` → `SYS_ADMIN`).
pub fn normalize_capability(cap: &str) -> String {
    let up = cap.trim().to_ascii_uppercase();
    match up.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => up,
    }
}

/// `securityContext.privileged: true`.
pub fn is_privileged(c: &Container) -> bool {
    c.security_context.as_ref().and_then(|s| s.privileged) == Some(true)
}

/// The dangerous capabilities in `securityContext.capabilities.add`: (index in
/// `add`, normalised name).
pub fn dangerous_capabilities(c: &Container) -> Vec<(usize, String)> {
    c.security_context
        .as_ref()
        .and_then(|s| s.capabilities.as_ref())
        .and_then(|caps| caps.add.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, cap)| (i, normalize_capability(cap)))
        .filter(|(_, cap)| DANGEROUS_CAPABILITIES.contains(&cap.as_str()))
        .collect()
}

/// Whether Kubernetes rejects `allowPrivilegeEscalation: false` on this
/// container: it does when the container is privileged or adds exactly
/// `CAP_SYS_ADMIN` (the API server compares that spelling only).
pub fn rejects_no_escalation(c: &Container) -> bool {
    let adds_cap_sys_admin = c
        .security_context
        .as_ref()
        .and_then(|s| s.capabilities.as_ref())
        .and_then(|caps| caps.add.as_ref())
        .is_some_and(|add| add.iter().any(|cap| cap == "CAP_SYS_ADMIN"));
    is_privileged(c) || adds_cap_sys_admin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_spellings() {
        assert_eq!(normalize_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability("SYS_ADMIN"), "SYS_ADMIN");
        assert_eq!(normalize_capability(" Net_Admin "), "NET_ADMIN");
    }
}
