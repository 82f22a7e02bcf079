//! `privileged-container` — documented in rules/privileged-container.md

use crate::manifest::{ContainerRef, Object};
use crate::rule::{Rule, Sink};
use crate::security::{dangerous_capabilities, is_privileged};

pub struct PrivilegedContainer;

/// The sysctls a container's command or args set (`sysctl -w vm.max_map_count=262144`,
/// `sysctl net.core.somaxconn=1024`), when it runs `sysctl` at all.
fn sysctls(c: &ContainerRef) -> Option<Vec<String>> {
    let words: Vec<&str> = c
        .container
        .command
        .iter()
        .chain(c.container.args.iter())
        .flatten()
        .flat_map(|s| s.split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&' || ch == '|' || ch == '"' || ch == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    if !words.iter().any(|w| *w == "sysctl" || w.ends_with("/sysctl")) {
        return None;
    }
    let mut names: Vec<String> = words
        .iter()
        .filter_map(|w| {
            let name = w.split('=').next().unwrap_or_default();
            let top = name.split('.').next().unwrap_or_default();
            let is_sysctl = name.contains('.')
                && matches!(top, "vm" | "net" | "kernel" | "fs")
                && name.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-' | '/'));
            is_sysctl.then(|| name.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// Whether the kernel isolates the sysctl per network or IPC namespace, so the
/// pod's `securityContext.sysctls` can set it.
fn namespaced(sysctl: &str) -> bool {
    sysctl.starts_with("net.")
        || sysctl.starts_with("fs.mqueue.")
        || sysctl.starts_with("kernel.shm")
        || sysctl.starts_with("kernel.msg")
        || sysctl == "kernel.sem"
}

fn sysctl_help(names: &[String], init: bool) -> String {
    let (pod, node): (Vec<&String>, Vec<&String>) = names.iter().partition(|n| namespaced(n));
    let list = |v: &[&String]| v.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !pod.is_empty() {
        parts.push(format!(
            "{} is namespaced: set it in the pod's `securityContext.sysctls` instead, with no privileged container (sysctls outside Kubernetes' safe set must also be allowed on the kubelet with `--allowed-unsafe-sysctls`)",
            list(&pod)
        ));
    }
    if !node.is_empty() {
        parts.push(format!(
            "{} is a node-level sysctl that no pod setting can change: set it on the nodes (node image, node configuration, or one node-tuning DaemonSet kept apart from the data store)",
            list(&node)
        ));
    }
    if parts.is_empty() {
        parts.push("namespaced sysctls (`net.*`, `kernel.shm*`, `kernel.msg*`, `kernel.sem`, `fs.mqueue.*`) go in the pod's `securityContext.sysctls`; node-level ones (`vm.*`) belong in the node configuration".into());
    }
    let then = if init { "then delete this init container" } else { "then remove `privileged: true`" };
    format!("{}; {then}", parts.join("; "))
}

impl Rule for PrivilegedContainer {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(true) {
            let what = if c.init { "init container" } else { "container" };
            let name = &c.container.name;
            if is_privileged(c.container) {
                let bidirectional = c.container.volume_mounts.iter().flatten().any(|m| m.mount_propagation.as_deref() == Some("Bidirectional"));
                let help = match sysctls(&c) {
                    Some(names) => sysctl_help(&names, c.init),
                    None if bidirectional => "Bidirectional mount propagation requires `privileged: true`, so this is a node agent (a storage driver's node plugin): run it in its own namespace at the `privileged` Pod Security level, never in a data store's pod, or suppress this finding for it".to_string(),
                    None => "remove `privileged: true` and add only the capability the container needs under `securityContext.capabilities.add` (and `drop: [ALL]` the rest)".to_string(),
                };
                out.report(
                    format!("{}.securityContext.privileged", c.path),
                    format!("{what} `{name}` of {} `{}` runs privileged: it has every capability and all host devices, so a compromise of it is a compromise of the node and of every volume on it", obj.kind, obj.name),
                )
                .on_value()
                .label("privileged")
                .help(help);
            }
            for (i, cap) in dangerous_capabilities(c.container) {
                let why = match cap.as_str() {
                    "ALL" => "every Linux capability, as good as privileged",
                    "SYS_ADMIN" => "mounts, namespaces and most of root's powers: the classic container escape",
                    "NET_ADMIN" => "control of the pod's network stack (and of the node's with hostNetwork)",
                    "SYS_PTRACE" => "tracing and reading the memory of other processes it can see",
                    "SYS_MODULE" => "loading kernel modules into the node",
                    "DAC_READ_SEARCH" => "bypassing file read permissions, a known escape to host files",
                    _ => "node-level powers no data store needs",
                };
                out.report(
                    format!("{}.securityContext.capabilities.add[{i}]", c.path),
                    format!("{what} `{name}` of {} `{}` adds capability {cap}: {why}", obj.kind, obj.name),
                )
                .on_value()
                .label("dangerous capability")
                .help(match cap.as_str() {
                    "NET_ADMIN" => "remove it unless the container really manages network interfaces or iptables (a service-mesh init container); namespaced network sysctls go in the pod's `securityContext.sysctls` instead".to_string(),
                    _ => format!("remove {cap} from `capabilities.add`; grant only the narrow capability the process needs (for example NET_BIND_SERVICE, IPC_LOCK) and `drop: [ALL]` the rest"),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysctl_help_separates_namespaced_from_node_level() {
        let names = vec!["net.core.somaxconn".to_string(), "vm.max_map_count".to_string()];
        let help = sysctl_help(&names, true);
        assert!(help.contains("`net.core.somaxconn` is namespaced: set it in the pod's `securityContext.sysctls`"));
        assert!(help.contains("`vm.max_map_count` is a node-level sysctl"));
        assert!(help.ends_with("then delete this init container"));
        assert!(namespaced("kernel.shmmax") && namespaced("fs.mqueue.msg_max"));
        assert!(!namespaced("vm.swappiness") && !namespaced("fs.file-max") && !namespaced("kernel.pid_max"));
    }
}
