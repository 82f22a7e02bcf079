//! `missing-security-context` — documented in rules/missing-security-context.md

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct MissingSecurityContext;

impl Rule for MissingSecurityContext {
    fn check<'a>(&self, obj: &'a Object, _cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        let psc = pod.spec.security_context.as_ref();
        for c in pod.containers(true) {
            let sc = c.container.security_context.as_ref();
            let mut problems = Vec::new();
            if sc.and_then(|s| s.privileged) == Some(true) {
                problems.push("runs privileged");
            }
            if sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
                problems.push("allows privilege escalation (`allowPrivilegeEscalation` is not false)");
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
            let what = if c.init { "init container" } else { "container" };
            out.report(
                format!("{}.securityContext", c.path),
                format!("{what} `{}` of {} `{}` {}", c.container.name, obj.kind, obj.name, problems.join(" and ")),
            )
            .label("no restrictive securityContext")
            .help("set `securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}` on the container (and a `runAsUser` the image can run as)");
        }
    }
}
