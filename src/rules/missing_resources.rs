//! `missing-resources` — documented in rules/missing-resources.md

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct MissingResources;

/// (what is missing, what happens without it, the field that sets it)
const CPU_REQUEST: (&str, &str, &str) = (
    "CPU request",
    "the scheduler places it as if it needed no CPU, and under contention it gets the smallest CPU share",
    "resources.requests.cpu",
);
const MEMORY_REQUEST: (&str, &str, &str) = (
    "memory request",
    "it is scheduled as if it needed no memory, and is among the first evicted when the node runs short of memory",
    "resources.requests.memory",
);
const MEMORY_LIMIT: (&str, &str, &str) = (
    "memory limit",
    "it can take memory from its neighbours until the node runs out and the kernel OOM-kills a process, possibly another pod's",
    "resources.limits.memory",
);

impl Rule for MissingResources {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            let r = c.container.resources.as_ref();
            let req = |k: &str| r.and_then(|r| r.requests.as_ref()).is_some_and(|m| m.contains_key(k));
            let lim = |k: &str| r.and_then(|r| r.limits.as_ref()).is_some_and(|m| m.contains_key(k));
            // A limit without a request makes the request equal to the limit.
            let mut missing = Vec::new();
            if !req("cpu") && !lim("cpu") {
                missing.push(CPU_REQUEST);
            }
            if !req("memory") && !lim("memory") {
                missing.push(MEMORY_REQUEST);
            }
            if !lim("memory") {
                missing.push(MEMORY_LIMIT);
            }
            if missing.is_empty() {
                continue;
            }
            let why: Vec<String> = missing.iter().map(|(what, why, _)| format!("no {what}: {why}")).collect();
            let names: Vec<&str> = missing.iter().map(|(what, _, _)| *what).collect();
            let fields: Vec<String> = missing.iter().map(|(_, _, f)| format!("`{f}`")).collect();
            let mut help = format!("set {}", join(&fields));
            let database = crate::catalog::container_store(c.container).is_some();
            if database && missing.iter().any(|m| m.0 == "memory limit") {
                help.push_str(" (for a database, a memory limit equal to the memory request, with its buffers sized below it)");
            }
            if missing.iter().any(|m| m.0 == "CPU request") {
                help.push_str("; a CPU limit is optional: it throttles rather than protects");
            }
            out.report(
                format!("{}.resources", c.path),
                format!("container `{}` of {} `{}` has {}", c.container.name, obj.kind, obj.name, why.join("; ")),
            )
            .label(format!("no {}", join(&names)))
            .help(help);
        }
    }
}

/// `a`, `a and b`, `a, b and c`
fn join<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_in_prose() {
        assert_eq!(super::join(&["a"]), "a");
        assert_eq!(super::join(&["a", "b"]), "a and b");
        assert_eq!(super::join(&["a", "b", "c"]), "a, b and c");
    }
}
