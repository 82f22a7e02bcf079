//! `path:line:col: severity[rule-id] message`, one per line (editors' errorformat).

use std::fmt::Write;

use super::{range, span_range};
use crate::engine::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for p in &outcome.problems {
        let name = &outcome.file(p.file).name;
        match p.span {
            Some(s) => {
                let r = range(outcome, p.file, s);
                let _ = writeln!(
                    out,
                    "{name}:{}:{}: {}[{}] {}",
                    r.start.line,
                    r.start.column,
                    p.severity(),
                    p.kind.code(),
                    p.message
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{name}: {}[{}] {}",
                    p.severity(),
                    p.kind.code(),
                    p.message
                );
            }
        }
    }
    for f in &outcome.findings {
        let r = span_range(outcome, f.span);
        let name = &outcome.file(f.span.file).name;
        let _ = writeln!(
            out,
            "{name}:{}:{}: {}[{}] {}",
            r.start.line, r.start.column, f.severity, f.rule, f.message
        );
    }
    out
}
