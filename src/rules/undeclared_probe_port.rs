//! `undeclared-probe-port` — documented in rules/undeclared-probe-port.md

use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::manifest::Object;
use crate::rule::{Rule, Sink};

pub struct UndeclaredProbePort;

/// The named port of a probe's handler, with the handler's key.
fn named_port(p: &Probe) -> Option<(&'static str, &str)> {
    if let Some(IntOrString::String(s)) = p.http_get.as_ref().map(|h| &h.port) {
        return Some(("httpGet", s));
    }
    if let Some(IntOrString::String(s)) = p.tcp_socket.as_ref().map(|t| &t.port) {
        return Some(("tcpSocket", s));
    }
    None
}

impl Rule for UndeclaredProbePort {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(true) {
            let ctr = c.container;
            let declared: Vec<&str> = ctr.ports.iter().flatten().filter_map(|p| p.name.as_deref()).collect();
            let probes = [
                ("livenessProbe", &ctr.liveness_probe),
                ("readinessProbe", &ctr.readiness_probe),
                ("startupProbe", &ctr.startup_probe),
            ];
            for (key, probe) in probes {
                let Some((handler, port)) = probe.as_ref().and_then(named_port) else { continue };
                if declared.contains(&port) {
                    continue;
                }
                let field = format!("{}.{key}.{handler}.port", c.path);
                let what = if c.init { "init container" } else { "container" };
                let numeric = !port.is_empty() && port.chars().all(|ch| ch.is_ascii_digit());
                let (message, help) = if numeric {
                    (
                        format!("the {key} of {what} `{}` in {} `{}` gives its port as the string \"{port}\": Kubernetes reads a quoted port as a port name, and rejects this one (a port name needs a letter)", ctr.name, obj.kind, obj.name),
                        format!("write the port as a number, without quotes: `port: {port}`"),
                    )
                } else {
                    let names = if declared.is_empty() {
                        "the container declares no named ports".to_string()
                    } else {
                        format!("its named ports are {}", declared.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
                    };
                    (
                        format!("the {key} of {what} `{}` in {} `{}` uses port `{port}`, which no `ports[].name` of the container declares: the probe can never succeed", ctr.name, obj.kind, obj.name),
                        format!("{names}; use one of them or the port number, or add `- name: {port}` with its `containerPort` to the container's `ports` (a named port is looked up in the probed container only)"),
                    )
                };
                let b = out.report(&field, message);
                b.on_value().label("undeclared port name").help(help);
                if ctr.ports.as_ref().is_some_and(|p| !p.is_empty()) {
                    b.related(obj, format!("{}.ports", c.path), "the ports this container declares");
                }
            }
        }
    }
}
