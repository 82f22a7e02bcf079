//! `--format github`: GitHub Actions workflow commands, one per line, which
//! the runner turns into annotations on the pull request's files:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=rule-id::message`.
//!
//! Escaped as GitHub's toolkit escapes them (`actions/toolkit`, `command.ts`):
//! in a message `%`, CR and LF become `%25`, `%0D` and `%0A`; in a property
//! `:` and `,` become `%3A` and `%2C` as well. Input text is escaped first as
//! in every text format (a line break is `\n`, ESC is `\u{1b}`), so the only
//! `%0A` in a message are ours: the help and related lines. No input text can
//! end a command or start another.

use std::fmt::Write as _;

use super::{escape, flush_some, range, span_range};
use crate::diagnostic::Severity;
use crate::engine::Outcome;

pub fn write(outcome: &Outcome, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for p in &outcome.problems {
        let file = &outcome.file(p.file).name;
        let mut lines = vec![p.message.to_string()];
        lines.extend(p.help.as_ref().map(|h| format!("help: {h}")));
        let at = p.span.map(|s| range(outcome, p.file, s));
        command(&mut out, p.severity(), file, at, p.kind.code(), &lines);
        flush_some(&mut out, w)?;
    }
    for f in &outcome.findings {
        let mut lines = vec![
            format!("{} [{}]", f.message, f.object),
            format!("help: {}", f.help),
        ];
        for r in &f.related {
            let at = span_range(outcome, r.span);
            lines.push(format!(
                "related: {}:{}:{}: {}",
                outcome.file(r.span.file).name,
                at.start.line,
                at.start.column,
                r.message
            ));
        }
        let range = span_range(outcome, f.span);
        let name = &outcome.file(f.span.file).name;
        // Rendered standard input: the annotation goes on the template file
        // (no line of it is known); the rendered position is in the text.
        let (file, at) = match super::origin_as_file(outcome, f) {
            Some(o) => {
                lines.push(format!(
                    "rendered by {} at {name}:{}:{}",
                    o.via.as_str(),
                    range.start.line,
                    range.start.column
                ));
                (&*o.path, None)
            }
            None => {
                lines.extend(super::origin_text(outcome, f).map(|o| format!("origin: {o}")));
                (name.as_str(), Some(range))
            }
        };
        command(&mut out, f.severity, file, at, f.rule, &lines);
        flush_some(&mut out, w)?;
    }
    w.write_all(out.as_bytes())
}

/// One workflow command.
fn command(
    out: &mut String,
    severity: Severity,
    file: &str,
    at: Option<super::Range>,
    title: &str,
    lines: &[String],
) {
    let name = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let _ = write!(out, "::{name} file={}", property(file));
    if let Some(r) = at {
        let _ = write!(
            out,
            ",line={},col={},endLine={},endColumn={}",
            r.start.line, r.start.column, r.end.line, r.end.column
        );
    }
    let _ = writeln!(out, ",title={}::{}", property(title), data(lines));
}

/// A command's message: its lines, each escaped (a line break in input text
/// shows as `\n`), joined by `%0A`.
fn data(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| percent(&escape(l), false)).collect();
    lines.join("%0A")
}

/// A command's property value.
fn property(s: &str) -> String {
    percent(&escape(s), true)
}

/// GitHub's escaping of `%` (first), CR and LF, and in a property `:` and `,`.
fn percent(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_the_toolkit_does() {
        let lines = ["50% done\r\nnext".to_string(), "help: x".to_string()];
        assert_eq!(data(&lines), "50%25 done\\r\\nnext%0Ahelp: x");
        assert_eq!(property("a:b,c%d"), "a%3Ab%2Cc%25d");
        // escape() shows control characters; no raw one reaches the log
        assert_eq!(property("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(data(&["::error::pwned".into()]), "::error::pwned");
    }
}
