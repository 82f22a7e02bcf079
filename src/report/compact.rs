//! `path:line:col: severity[rule-id] message`, one per line (editors' errorformat).

use std::fmt::Write;

use super::{escape, flush_some, line_start_name, origin_as_file, origin_text, range, span_range};
use crate::engine::Outcome;

/// Write the lines to `w`, a block at a time.
pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for p in &outcome.problems {
        // Names and messages come from the input: escaped, so that no
        // line is forged and no terminal or CI log reads a command.
        let name = line_start_name(&outcome.file(p.file).name);
        let message = escape(&p.message);
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
                    message
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{name}: {}[{}] {}",
                    p.severity(),
                    p.kind.code(),
                    message
                );
            }
        }
        flush_some(&mut out, w)?;
    }
    for f in &outcome.findings {
        let r = span_range(outcome, f.span);
        let name = line_start_name(&outcome.file(f.span.file).name);
        // Rendered standard input: the template is the file; no line of
        // it is known, so the rendered position goes in the message.
        if let Some(o) = origin_as_file(outcome, f) {
            let _ = writeln!(
                out,
                "{}: {}[{}] {} (rendered by {} at {name}:{}:{})",
                line_start_name(&o.path),
                f.severity,
                f.rule,
                escape(&f.message),
                o.via.as_str(),
                r.start.line,
                r.start.column,
            );
            flush_some(&mut out, w)?;
            continue;
        }
        let origin = origin_text(outcome, f)
            .map(|o| format!(" [origin: {}]", escape(&o)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{name}:{}:{}: {}[{}] {}{origin}",
            r.start.line,
            r.start.column,
            f.severity,
            f.rule,
            escape(&f.message)
        );
        flush_some(&mut out, w)?;
    }
    w.write_all(out.as_bytes())
}
