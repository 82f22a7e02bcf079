//! The Kubernetes API server's value syntax, as pure functions: names
//! (DNS-1123 / DNS-1035 labels and subdomains, IANA service names), label keys
//! and values, resource quantities and CronJob schedules.
//!
//! Each `*_error` function returns `None` for a valid value, else a short
//! reason ("must be at most 63 characters") meant to follow the field's name in
//! a message. The rules come from `k8s.io/apimachinery/pkg/util/validation`,
//! `k8s.io/apimachinery/pkg/api/resource/quantity.go` and the cron parser the
//! API server uses (`github.com/robfig/cron/v3`, `cron.ParseStandard`).

/// `IsDNS1123Label`: at most 63 characters, lowercase alphanumerics or '-',
/// starting and ending with an alphanumeric.
pub fn dns1123_label_error(s: &str) -> Option<String> {
    label_error(s, 63, false)
}

pub fn is_dns1123_label(s: &str) -> bool {
    dns1123_label_error(s).is_none()
}

/// `IsDNS1035Label` (Service names): a DNS-1123 label that starts with a letter.
pub fn dns1035_label_error(s: &str) -> Option<String> {
    label_error(s, 63, true)
}

pub fn is_dns1035_label(s: &str) -> bool {
    dns1035_label_error(s).is_none()
}

fn label_error(s: &str, max: usize, letter_first: bool) -> Option<String> {
    if s.is_empty() {
        return Some("must not be empty".into());
    }
    if s.len() > max {
        return Some(format!(
            "must be at most {max} characters (it has {})",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "must contain only lowercase letters, digits and '-' (found {})",
            describe_char(c)
        ));
    }
    if letter_first && !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a lowercase letter".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("must start and end with a lowercase letter or digit".into());
    }
    None
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated DNS-1123 labels.
pub fn dns1123_subdomain_error(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("must not be empty".into());
    }
    if s.len() > 253 {
        return Some(format!(
            "must be at most 253 characters (it has {})",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(format!(
            "must contain only lowercase letters, digits, '-' and '.' (found {})",
            describe_char(c)
        ));
    }
    for part in s.split('.') {
        if part.is_empty() {
            return Some("must not have empty parts between dots".into());
        }
        if part.starts_with('-') || part.ends_with('-') {
            return Some(
                "must start and end with a lowercase letter or digit, also around each '.'".into(),
            );
        }
    }
    None
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    dns1123_subdomain_error(s).is_none()
}

/// `IsValidPortName` (IANA_SVC_NAME, RFC 6335): at most 15 characters,
/// lowercase alphanumerics and '-', at least one letter, no leading or
/// trailing '-', no "--".
pub fn iana_svc_name_error(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("must not be empty".into());
    }
    if s.len() > 15 {
        return Some(format!(
            "must be at most 15 characters (it has {})",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "must contain only lowercase letters, digits and '-' (found {})",
            describe_char(c)
        ));
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("must contain at least one letter (a-z)".into());
    }
    if s.contains("--") {
        return Some("must not contain consecutive hyphens".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("must not begin or end with a hyphen".into());
    }
    None
}

pub fn is_iana_svc_name(s: &str) -> bool {
    iana_svc_name_error(s).is_none()
}

/// The name part of a qualified name and a label value share this shape:
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
fn qualified_part_error(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!(
            "must be at most 63 characters (it has {})",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!(
            "must contain only letters, digits, '-', '_' and '.' (found {})",
            describe_char(c)
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(s.chars().next()) || !alnum(s.chars().last()) {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// `IsQualifiedName` (label and annotation keys): an optional DNS-1123
/// subdomain prefix and '/', then a name of at most 63 characters of
/// `[-A-Za-z0-9_.]` starting and ending with an alphanumeric.
pub fn qualified_name_error(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                return Some("has an empty prefix before '/'".into());
            }
            if let Some(e) = dns1123_subdomain_error(prefix) {
                return Some(format!("prefix (before '/') {e}"));
            }
            name
        }
        _ => return Some("must contain at most one '/'".into()),
    };
    if name.is_empty() {
        return Some("must not have an empty name part".into());
    }
    qualified_part_error(name).map(|e| {
        if parts.len() == 2 {
            format!("name part (after '/') {e}")
        } else {
            e
        }
    })
}

pub fn is_qualified_name(s: &str) -> bool {
    qualified_name_error(s).is_none()
}

/// `IsValidLabelValue`: empty, or at most 63 characters of `[-A-Za-z0-9_.]`
/// starting and ending with an alphanumeric.
pub fn label_value_error(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    qualified_part_error(s)
}

pub fn is_label_value(s: &str) -> bool {
    label_value_error(s).is_none()
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_ascii_uppercase() => format!("uppercase `{c}`"),
        c if c.is_control() => "a control character".into(),
        c => format!("`{c}`"),
    }
}

// ---------------------------------------------------------------------------
// Quantities

/// A parsed resource quantity: only what validation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub negative: bool,
    /// Whether the value is zero (any form: `0`, `0Gi`, `0.0`).
    pub zero: bool,
}

/// Parse a quantity with the grammar of `resource.ParseQuantity`:
///
/// ```text
/// <quantity>        ::= <signedNumber><suffix>
/// <signedNumber>    ::= <number> | "+" <number> | "-" <number>
/// <number>          ::= <digits> | <digits> "." | <digits> "." <digits> | "." <digits>
/// <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
/// <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
/// <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
/// <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
/// ```
///
/// The error says what is wrong, never the fix (see [`suggest_quantity`]).
pub fn parse_quantity(s: &str) -> Result<Quantity, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    let b = s.as_bytes();
    let mut pos = 0;
    let negative = b[0] == b'-';
    if matches!(b[0], b'-' | b'+') {
        pos = 1;
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_len = digits(pos);
    let mut zero = b[pos..pos + int_len].iter().all(|c| *c == b'0');
    pos += int_len;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let frac_len = digits(pos);
        zero &= b[pos..pos + frac_len].iter().all(|c| *c == b'0');
        pos += frac_len;
    }
    // Like Kubernetes, a missing number (`-`, `.`, `Gi`) reads as zero.
    let suffix = &s[pos..];
    if suffix.chars().any(|c| c.is_whitespace()) {
        return Err("must not contain spaces".into());
    }
    let ok = match suffix {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        _ => match suffix.strip_prefix(['e', 'E']) {
            Some(exp) if !exp.is_empty() => {
                let d = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()) && d.len() <= 18
            }
            _ => false,
        },
    };
    if !ok {
        return Err(format!(
            "has the suffix `{suffix}`, which Kubernetes does not know (suffixes are k, M, G, T, P, E; Ki, Mi, Gi, Ti, Pi, Ei; m; or an exponent like e3)"
        ));
    }
    Ok(Quantity {
        negative: negative && !zero,
        zero,
    })
}

pub fn is_quantity(s: &str) -> bool {
    parse_quantity(s).is_ok()
}

/// The quantities a human meant by an invalid one: `1GB` → `1G`, `1Gi`;
/// `512mb` → `512M`, `512Mi`; `1 Gi` → `1Gi`; `100gi` → `100Gi`; `10B` → `10`.
pub fn suggest_quantity(s: &str) -> Vec<String> {
    let t = s.trim();
    let split = t
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_digit() || *c == '.' || *c == ',' || (*i == 0 && matches!(c, '+' | '-')))
        })
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let number = t[..split].replace(',', ".");
    let unit = t[split..].trim();
    let lower = unit.to_ascii_lowercase();
    let mut out = Vec::new();
    let (dec, bin) = match lower.chars().next() {
        Some('k') => ("k", "Ki"),
        Some('m') => ("M", "Mi"),
        Some('g') => ("G", "Gi"),
        Some('t') => ("T", "Ti"),
        Some('p') => ("P", "Pi"),
        Some('e') => ("E", "Ei"),
        _ => ("", ""),
    };
    match lower.get(1..).unwrap_or("") {
        _ if lower == "b" || lower == "bytes" => out.push(number.clone()),
        _ if dec.is_empty() => {}
        "" | "b" | "bytes" => {
            out.push(format!("{number}{dec}"));
            out.push(format!("{number}{bin}"));
        }
        "i" | "ib" => out.push(format!("{number}{bin}")),
        _ => {}
    }
    if unit.is_empty() || out.is_empty() {
        // `1 Gi`, `1,5Gi`: the unit is fine, the number is not.
        out.push(format!("{number}{unit}"));
    }
    out.retain(|q| q != s && is_quantity(q));
    out.dedup();
    out
}

// ---------------------------------------------------------------------------
// Cron schedules

const DESCRIPTORS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

struct CronField {
    name: &'static str,
    min: u64,
    max: u64,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const CRON_FIELDS: [CronField; 5] = [
    CronField {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    CronField {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    CronField {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    CronField {
        name: "day-of-week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

/// Check a CronJob schedule as the API server does on create:
/// `cron.ParseStandard` (five fields `minute hour day-of-month month
/// day-of-week` with `*`, `?`, ranges, steps, lists and JAN-DEC / SUN-SAT
/// names; or a descriptor `@hourly` … `@yearly`, `@every <duration>`), and no
/// `TZ=` / `CRON_TZ=` prefix (rejected since `spec.timeZone` exists).
pub fn check_cron(schedule: &str) -> Result<(), String> {
    if schedule.is_empty() {
        return Err("is empty".into());
    }
    if schedule.contains("TZ") {
        return Err("contains `TZ`: Kubernetes rejects a `TZ=` or `CRON_TZ=` time zone in the schedule; set `spec.timeZone` instead".into());
    }
    if let Some(rest) = schedule.strip_prefix("@every ") {
        return go_duration_error(rest).map_or(Ok(()), |e| {
            Err(format!(
                "`@every` needs a Go duration such as `1h30m` or `5m`: `{rest}` {e}"
            ))
        });
    }
    if schedule.starts_with('@') {
        if DESCRIPTORS.contains(&schedule) {
            return Ok(());
        }
        return Err(format!(
            "`{schedule}` is not a schedule descriptor: use one of {}, or `@every <duration>`",
            DESCRIPTORS.join(", ")
        ));
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        let hint = match fields.len() {
            6 | 7 => " (a seconds or year field is not supported)",
            _ => "",
        };
        return Err(format!(
            "has {} fields, expected exactly 5: minute hour day-of-month month day-of-week{hint}",
            fields.len()
        ));
    }
    for (text, field) in fields.iter().zip(CRON_FIELDS.iter()) {
        // robfig/cron splits lists with FieldsFunc: empty items are ignored.
        for item in text.split(',').filter(|i| !i.is_empty()) {
            check_cron_range(item, field).map_err(|e| {
                if e.starts_with(&format!("`{text}` ")) {
                    format!("{} field {e}", field.name)
                } else {
                    format!("{} field `{text}`: {e}", field.name)
                }
            })?;
        }
    }
    Ok(())
}

pub fn is_cron(schedule: &str) -> bool {
    check_cron(schedule).is_ok()
}

/// One item of a cron list: `*`, `?`, `N`, `N-M`, each with an optional `/step`.
fn check_cron_range(expr: &str, f: &CronField) -> Result<(), String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    if range_and_step.len() > 2 {
        return Err(format!("`{expr}` has more than one '/'"));
    }
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let (start, mut end) = if matches!(low_high[0], "*" | "?") {
        (f.min, f.max)
    } else {
        let start = cron_value(low_high[0], f)?;
        match low_high.len() {
            1 => (start, start),
            2 => (start, cron_value(low_high[1], f)?),
            _ => return Err(format!("`{expr}` has more than one '-'")),
        }
    };
    if let Some(step) = range_and_step.get(1) {
        let step = cron_int(step)?;
        if step == 0 {
            return Err(format!("the step in `{expr}` must be a positive number"));
        }
        if low_high.len() == 1 {
            end = f.max;
        }
    }
    let allowed = if f.names.is_empty() {
        format!("{}–{}", f.min, f.max)
    } else {
        format!(
            "{}–{} or {}–{}",
            f.min,
            f.max,
            f.names[0].to_ascii_uppercase(),
            f.names[f.names.len() - 1].to_ascii_uppercase()
        )
    };
    let sunday = if f.name == "day-of-week" && (start == 7 || end == 7) {
        " (Sunday is 0 or SUN)"
    } else {
        ""
    };
    if start < f.min || end > f.max {
        let bad = if start < f.min { start } else { end };
        return Err(format!("`{bad}` is out of range {allowed}{sunday}"));
    }
    if start > end {
        return Err(format!("the range `{expr}` starts after it ends"));
    }
    Ok(())
}

fn cron_value(s: &str, f: &CronField) -> Result<u64, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        // months are 1-based, days 0-based
        return Ok(i as u64 + f.min);
    }
    cron_int(s)
}

fn cron_int(s: &str) -> Result<u64, String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(if s.is_empty() {
            "a number is missing".into()
        } else {
            format!("`{s}` is not a number")
        });
    }
    if neg {
        return Err(format!("negative number `{s}` is not allowed"));
    }
    digits
        .parse::<u64>()
        .map_err(|_| format!("`{s}` is too large"))
}

/// `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`; units ns,
/// us (µs), ms, s, m, h.
fn go_duration_error(s: &str) -> Option<&'static str> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body == "0" {
        return None;
    }
    if body.is_empty() {
        return Some("is empty");
    }
    let mut rest = body;
    while !rest.is_empty() {
        let n = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Some("is not a duration");
        }
        rest = &rest[n..];
        let u = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        match &rest[..u] {
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h" => {}
            "" => return Some("needs a unit (ns, us, ms, s, m, h)"),
            _ => return Some("has an unknown unit (use ns, us, ms, s, m, h)"),
        }
        rest = &rest[u..];
    }
    None
}

// ---------------------------------------------------------------------------

/// A value that is a placeholder for a templating tool (`${NAME}`, `$(VAR)`,
/// `{{ name }}`, `<your-name>`, `%NAME%`) rather than the final value: the
/// manifest is not applied as written, so its syntax is not judged.
pub fn looks_templated(s: &str) -> bool {
    // One pass (it runs on every key and value the checks read): `${`,
    // `$(`, `{{` or `}}` anywhere, or both `<` and `>`, or two `%`.
    let b = s.as_bytes();
    let (mut lt, mut gt, mut percent) = (false, false, 0u32);
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied();
        match c {
            b'$' if matches!(next, Some(b'{' | b'(')) => return true,
            b'{' if next == Some(b'{') => return true,
            b'}' if next == Some(b'}') => return true,
            b'<' => lt = true,
            b'>' => gt = true,
            b'%' => percent += 1,
            _ => {}
        }
    }
    (lt && gt) || percent >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_labels() {
        // valid, from apimachinery's TestIsDNS1123Label
        for v in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            &"a".repeat(63),
        ] {
            assert!(is_dns1123_label(v), "{v}");
        }
        for v in [
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a.b",
            "1.",
            ".1",
            "1.2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            &"a".repeat(64),
        ] {
            assert!(!is_dns1123_label(v), "{v}");
        }
        assert_eq!(
            dns1123_label_error(&"a".repeat(64)).unwrap(),
            "must be at most 63 characters (it has 64)"
        );
    }

    #[test]
    fn dns1035_labels() {
        for v in ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", &"a".repeat(63)] {
            assert!(is_dns1035_label(v), "{v}");
        }
        for v in [
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a.b",
            "1.",
            ".1",
            "1.2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            &"a".repeat(64),
        ] {
            assert!(!is_dns1035_label(v), "{v}");
        }
        assert_eq!(
            dns1035_label_error("1db").unwrap(),
            "must start with a lowercase letter"
        );
    }

    #[test]
    fn dns1123_subdomains() {
        for v in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            "a.a",
            "ab.a",
            "abc.a",
            "a1.a",
            "a-1.a",
            "a--1--2--b.a",
            "a.1",
            "ab.1",
            "abc.1",
            "a1.1",
            "a-1.1",
            "a--1--2--b.1",
            "0.a",
            "01.a",
            "012.a",
            "1a.a",
            "1-a.a",
            "1--a--b--2",
            "0.1",
            "01.1",
            "012.1",
            "1a.1",
            "1-a.1",
            "1--a--b--2.1",
            "a.b.c.d.e",
            "aa.bb.cc.dd.ee",
            "1.2.3.4.5",
            "11.22.33.44.55",
            &"a".repeat(253),
        ] {
            assert!(is_dns1123_subdomain(v), "{v}");
        }
        for v in [
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a..b",
            "1.",
            ".1",
            "1..2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            "A.a",
            "aB.a",
            "ab.A",
            "A1.a",
            "a1.A",
            "A.1",
            "aB.1",
            "A1.1",
            "1A.1",
            "0.A",
            "01.A",
            "012.A",
            "1A.a",
            "1a.A",
            "A.B.C.D.E",
            "AA.BB.CC.DD.EE",
            "a.B.c.d.e",
            "aa.bB.cc.dd.ee",
            "a@b",
            "a,b",
            "a_b",
            "a;b",
            "a:b",
            "a%b",
            "a?b",
            "a$b",
            &"a".repeat(254),
        ] {
            assert!(!is_dns1123_subdomain(v), "{v}");
        }
    }

    #[test]
    fn iana_svc_names() {
        // from TestIsValidPortName
        for v in [
            "telnet",
            "re-mail-ck",
            "pop3",
            "a",
            "a-1",
            "1-a",
            "a-1-b-2-c",
            "1-a-2-b-3",
        ] {
            assert!(is_iana_svc_name(v), "{v}");
        }
        for v in [
            "longerthan15characters",
            "",
            &"a".repeat(16),
            "12345",
            "1-2-3-4",
            "-begin",
            "end-",
            "two--hyphens",
            "whois++",
            "HTTP",
            "my_port",
        ] {
            assert!(!is_iana_svc_name(v), "{v}");
        }
        assert_eq!(
            iana_svc_name_error("8080").unwrap(),
            "must contain at least one letter (a-z)"
        );
        assert!(is_iana_svc_name(&"a".repeat(15)));
    }

    #[test]
    fn qualified_names() {
        // from TestIsQualifiedName
        for v in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes",
            "now.with.dots/simple",
            "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num",
            "1234/5678",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
            &"a".repeat(63),
            &format!("{}/b", "a".repeat(253)),
        ] {
            assert!(is_qualified_name(v), "{v}");
        }
        for v in [
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash-",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/",
            "/simple",
            &"a".repeat(64),
            &format!("{}/b", "a".repeat(254)),
            "a b",
            "app:name",
        ] {
            assert!(!is_qualified_name(v), "{v}");
        }
        assert_eq!(
            qualified_name_error("/a").unwrap(),
            "has an empty prefix before '/'"
        );
    }

    #[test]
    fn label_values() {
        // from TestIsValidLabelValue
        for v in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "end-with-num-1",
            "1234",
            "",
            "A",
            "AB",
            "AbC",
            "A1",
            "A-1",
            "1-A",
            "a.b",
            "1.2.3",
            &"a".repeat(63),
        ] {
            assert!(is_label_value(v), "{v}");
        }
        for v in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is_a_Maori_word",
            "\u{2603}",
            "-",
            "-1",
            "1-",
            "a-",
            "-a",
            "_",
            "a_",
            "_a",
            ".",
            "a.",
            ".a",
            "a b",
            "1.0/beta",
            &"a".repeat(64),
        ] {
            assert!(!is_label_value(v), "{v}");
        }
    }

    #[test]
    fn quantities() {
        // valid, from TestQuantityParse
        for v in [
            "0", "0n", "0u", "0m", "0Ki", "0k", "0Mi", "0M", "0Gi", "0G", "0Ti", "0T", "1n", "1u",
            "1m", "1", "1k", "1Ki", "1M", "1Mi", "1G", "1Gi", "1T", "1Ti", "1P", "1Pi", "1E",
            "1Ei", "1e3", "1E6", "1e-3", "1e+3", "1.5Gi", "500m", "100Ki", "0.1", ".5", "5.", "+1",
            "-1", "1.5", "1.0Gi", "12e6", "0.001",
        ] {
            assert!(parse_quantity(v).is_ok(), "{v}");
        }
        for v in [
            "", "1GB", "1gb", "1gi", "1K", "1Kb", "1 Gi", " 1Gi", "1Gi ", "1b", "1B", "1.2.3",
            "1e", "1E+", "1i", "1ki", "1MB", "1Mib", "a", "1,5Gi", "1e3Gi", "5x", "1mi", "1Gii",
        ] {
            assert!(parse_quantity(v).is_err(), "{v}");
        }
        assert!(parse_quantity("-1Gi").unwrap().negative);
        assert!(!parse_quantity("-0").unwrap().negative);
        assert!(!parse_quantity("1Gi").unwrap().negative);
    }

    #[test]
    fn quantity_suggestions() {
        assert_eq!(suggest_quantity("1GB"), ["1G", "1Gi"]);
        assert_eq!(suggest_quantity("512mb"), ["512M", "512Mi"]);
        assert_eq!(suggest_quantity("100gi"), ["100Gi"]);
        assert_eq!(suggest_quantity("1GiB"), ["1Gi"]);
        assert_eq!(suggest_quantity("1K"), ["1k", "1Ki"]);
        assert_eq!(suggest_quantity("1 Gi"), ["1Gi"]);
        assert_eq!(suggest_quantity("1,5Gi"), ["1.5Gi"]);
        assert_eq!(suggest_quantity("10B"), ["10"]);
        assert!(suggest_quantity("lots").is_empty());
    }

    #[test]
    fn cron_schedules() {
        for v in [
            "*/5 * * * *",
            "0 0 * * SUN",
            "0 0 * * sun",
            "0 2 * * 1-5",
            "0 0 1 JAN *",
            "0 0 1 jan-mar *",
            "15,45 */2 1,15 * MON-FRI",
            "0 0 ? * *",
            "0  0  *  *  *",
            "5/15 * * * *",
            "0 0 L * *".replace('L', "31").as_str(),
            "0 0 1,,2 * *",
            "@daily",
            "@hourly",
            "@midnight",
            "@weekly",
            "@monthly",
            "@yearly",
            "@annually",
            "@every 1h30m",
            "@every 5m",
            "@every 0",
            "0 0 * * 0-6",
            "*/61 * * * *",
            "0-59/10 * * * *",
        ] {
            assert!(check_cron(v).is_ok(), "{v}: {:?}", check_cron(v));
        }
        let bad = |s: &str| check_cron(s).unwrap_err();
        assert_eq!(bad("61 * * * *"), "minute field `61` is out of range 0–59");
        assert_eq!(bad("0 24 * * *"), "hour field `24` is out of range 0–23");
        assert_eq!(
            bad("0 0 0 * *"),
            "day-of-month field `0` is out of range 1–31"
        );
        assert_eq!(
            bad("0 0 * 13 *"),
            "month field `13` is out of range 1–12 or JAN–DEC"
        );
        assert_eq!(
            bad("0 0 * * 7"),
            "day-of-week field `7` is out of range 0–6 or SUN–SAT (Sunday is 0 or SUN)"
        );
        assert!(bad("0 0 * * MON-SUN").contains("starts after it ends"));
        assert!(bad("0 0 * * *  *").contains("has 6 fields"));
        assert!(bad("* * * *").contains("has 4 fields"));
        assert!(bad("*/0 * * * *").contains("positive"));
        assert!(bad("1-2-3 * * * *").contains("more than one '-'"));
        assert!(bad("*/5/2 * * * *").contains("more than one '/'"));
        assert!(bad("x * * * *").contains("`x` is not a number"));
        assert!(bad("0 0 * * FOO").contains("`FOO` is not a number"));
        assert!(bad("CRON_TZ=UTC 0 0 * * *").contains("spec.timeZone"));
        assert!(bad("TZ=Europe/Paris @daily").contains("spec.timeZone"));
        assert!(bad("@fortnightly").contains("not a schedule descriptor"));
        assert!(bad("@every 5").contains("unit"));
        assert!(bad("@every five").contains("duration"));
        assert!(bad("").contains("empty"));
        assert!(bad("0 0 L * *").contains("not a number"));
    }

    #[test]
    fn templated_values() {
        for v in ["${NAME}", "$(POD)", "{{ .name }}", "<your-db>", "%NAME%"] {
            assert!(looks_templated(v), "{v}");
        }
        for v in ["db-0", "a%b", "1Gi"] {
            assert!(!looks_templated(v), "{v}");
        }
    }

    /// The one-pass scan says what the plain definition says, on every
    /// string of up to four of the characters that matter.
    #[test]
    fn templated_matches_its_definition() {
        let defined = |s: &str| {
            s.contains("${")
                || s.contains("$(")
                || s.contains("{{")
                || s.contains("}}")
                || (s.contains('<') && s.contains('>'))
                || s.matches('%').count() >= 2
        };
        let alphabet = ['$', '{', '}', '(', '<', '>', '%', 'a'];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        strings.sort();
        strings.dedup();
        assert_eq!(strings.len(), 1 + 8 + 64 + 512 + 4096);
        for s in &strings {
            assert_eq!(looks_templated(s), defined(s), "{s:?}");
        }
    }
}
