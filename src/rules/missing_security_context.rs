//! `missing-security-context` — documented in rules/missing-security-context.md

use crate::fix::yaml::{set_entry, Text};
use crate::fix::Fix;
use crate::manifest::Object;
use crate::rule::{Rule, Sink};
use crate::security::{is_privileged, rejects_no_escalation};

pub struct MissingSecurityContext;

impl Rule for MissingSecurityContext {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        let psc = pod.spec.security_context.as_ref();
        for c in pod.containers(true) {
            // A privileged container is `privileged-container`'s: it is root on
            // the node whatever else it sets, and Kubernetes rejects
            // `allowPrivilegeEscalation: false` next to `privileged: true`.
            if is_privileged(c.container) {
                continue;
            }
            let sc = c.container.security_context.as_ref();
            let mut problems = Vec::new();
            let mut escalation = false;
            if sc.and_then(|s| s.allow_privilege_escalation) != Some(false) && !rejects_no_escalation(c.container) {
                problems.push("allows privilege escalation (`allowPrivilegeEscalation` is not false)");
                escalation = true;
            }
            let uid = sc.and_then(|s| s.run_as_user).or(psc.and_then(|p| p.run_as_user));
            let non_root = sc.and_then(|s| s.run_as_non_root).or(psc.and_then(|p| p.run_as_non_root));
            match uid {
                Some(0) => problems.push("runs as root (`runAsUser: 0`)"),
                Some(_) => {}
                None if non_root == Some(true) => {}
                None => problems.push("may run as root (no `runAsNonRoot: true` or non-zero `runAsUser`)"),
            }
            if problems.is_empty() {
                continue;
            }
            let root = problems.len() > usize::from(escalation);
            const NO_ESCALATION: &str = "set `allowPrivilegeEscalation: false` in the container's `securityContext`";
            const NON_ROOT: &str = "`runAsNonRoot: true` and a `runAsUser` the image can run as (in the container's or the pod's `securityContext`)";
            let help = match (escalation, root) {
                (true, true) => format!("{NO_ESCALATION}, and {NON_ROOT}"),
                (true, false) => NO_ESCALATION.to_string(),
                _ => format!("set {NON_ROOT}"),
            };
            let what = if c.init { "init container" } else { "container" };
            let p = out.report(
                format!("{}.securityContext", c.path),
                format!("{what} `{}` of {} `{}` {}", c.container.name, obj.kind, obj.name, problems.join(" and ")),
            );
            p.label("no restrictive securityContext").help(help);
            // Which user the image can run as is not known here: only the
            // escalation setting is written.
            if escalation {
                let text = Text::new(&obj.source);
                let sc = format!("{}.securityContext", c.path);
                if let Some(edit) = set_entry(&text, &obj.node, &sc, "allowPrivilegeEscalation", "false") {
                    p.fix(Fix::unsafe_("set `allowPrivilegeEscalation: false`", [edit]));
                }
            }
        }
    }
}
