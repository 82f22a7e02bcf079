//! `--format gitlab`: a GitLab Code Quality report (`artifacts: reports:
//! codequality`), a JSON array of issues in the Code Climate format that
//! GitLab reads: `description`, `check_name`, `fingerprint`, `severity`,
//! `location.path` (relative to the repository root) and
//! `location.lines.begin`.
//!
//! Severities: error → `critical`, warning → `major`, note → `minor`; an
//! input that could not be linted → `blocker` (an input note → `info`).
//! Fingerprints never hold a line number: the rule, the file, the object and
//! the field, and a counter among issues that share those, hashed.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{range, span_range, write_pretty, Place};
use crate::diagnostic::Severity;
use crate::engine::Outcome;

pub fn write(outcome: &Outcome, place: &Place, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Each file's path, resolved once.
    let paths: Vec<String> = outcome
        .files
        .iter()
        .map(|f| place.relative(&f.name).unwrap_or_else(|| f.name.clone()))
        .collect();
    let path = |file: crate::source::FileId| paths[file.0 as usize].as_str();
    let mut seen: HashMap<u128, u32> = HashMap::new();
    let mut fingerprint = |parts: &[&str]| {
        let base = fnv128(parts, None);
        let n = seen.entry(base).or_insert(0);
        let fp = fnv128(parts, Some(*n));
        *n += 1;
        format!("{fp:032x}")
    };
    let mut issues: Vec<Value> =
        Vec::with_capacity(outcome.problems.len() + outcome.findings.len());
    for p in &outcome.problems {
        let line = p.span.map_or(1, |s| range(outcome, p.file, s).start.line);
        let severity = match p.severity() {
            Severity::Error => "blocker",
            _ => "info",
        };
        let description = match &p.help {
            Some(h) => format!("{} (help: {h})", p.message),
            None => p.message.clone(),
        };
        issues.push(json!({
            "type": "issue",
            "description": description,
            "check_name": p.kind.code(),
            "categories": ["Bug Risk"],
            "fingerprint": fingerprint(&[p.kind.code(), path(p.file)]),
            "severity": severity,
            "location": { "path": path(p.file), "lines": { "begin": line } },
        }));
    }
    for f in &outcome.findings {
        let r = span_range(outcome, f.span);
        let ns = f.object.namespace.as_deref().unwrap_or("");
        let file = path(f.span.file);
        let fp = fingerprint(&[f.rule, file, &f.object.kind, ns, &f.object.name, &f.field]);
        issues.push(json!({
            "type": "issue",
            "description": format!("{} [{}]", f.message, f.object),
            "check_name": f.rule,
            "categories": ["Bug Risk"],
            "fingerprint": fp,
            "severity": match f.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Note => "minor",
            },
            "location": {
                "path": file,
                "lines": { "begin": r.start.line, "end": r.end.line },
            },
            "content": { "body": f.help },
        }));
    }
    write_pretty(w, &issues)
}

/// FNV-1a, 128 bits, over the parts (each ended by a NUL) and the counter.
fn fnv128(parts: &[&str], counter: Option<u32>) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    let count = counter.map(|c| c.to_le_bytes());
    let bytes = parts
        .iter()
        .flat_map(|p| p.bytes().chain(std::iter::once(0)))
        .chain(count.iter().flatten().copied());
    for b in bytes {
        h ^= b as u128;
        h = h.wrapping_mul(PRIME);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv128_is_the_reference_hash() {
        // FNV-1a 128 of the empty input is the offset basis; of "a" the
        // published test vector.
        assert_eq!(
            format!("{:032x}", fnv128(&[], None)),
            "6c62272e07bb014262b821756295c58d"
        );
        let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        h ^= b'a' as u128;
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        assert_eq!(fnv128(&["a"], None), {
            let mut g = h;
            g ^= 0;
            g.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b)
        });
        assert_eq!(format!("{:032x}", h), "d228cb696f1a8caf78912b704e4a8964");
        assert_ne!(fnv128(&["a"], Some(0)), fnv128(&["a"], Some(1)));
    }
}
