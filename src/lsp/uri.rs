//! `file:` URIs ↔ paths. Clients percent-encode differently (`%3A` or `:`,
//! upper- or lower-case hex), so a document is known by the URI the client
//! sent, and paths are compared after decoding.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

use crate::discover::lexical_absolute;

/// The absolute path of a `file:` URI (a local host only), `.` and `..`
/// resolved lexically; `None` for another scheme or a remote host.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("file:"))
        .map(|_| &s[5..])?;
    // `file:///p`, `file://localhost/p`, and the short `file:/p`.
    let path = match rest.strip_prefix("//") {
        Some(auth) => {
            let slash = auth.find('/')?;
            let host = &auth[..slash];
            if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
                return None;
            }
            &auth[slash..]
        }
        None => rest,
    };
    // No query or fragment in a file path.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes = percent_decode(path);
    let path = bytes_to_path(bytes)?;
    if !path.is_absolute() {
        return None;
    }
    Some(lexical_absolute(&path))
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    crate::report::file_uri(path).parse().ok()
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(v as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    let s = String::from_utf8(bytes).ok()?;
    // `/C:/x` is `C:/x`.
    let s = match s.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s[1..].to_string(),
        _ => s,
    };
    Some(PathBuf::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_decode_to_paths_and_back() {
        let p = to_path(&uri("file:///tmp/a%20b/./c/../d%C3%A9.yaml")).unwrap();
        assert_eq!(p, PathBuf::from("/tmp/a b/dé.yaml"));
        assert_eq!(
            from_path(&p).unwrap().as_str(),
            "file:///tmp/a%20b/d%C3%A9.yaml"
        );
        assert_eq!(
            to_path(&uri("file://localhost/x.yaml")),
            Some(PathBuf::from("/x.yaml"))
        );
        assert_eq!(
            to_path(&uri("FILE:/x.yaml")),
            Some(PathBuf::from("/x.yaml"))
        );
        // A stray `%` stays.
        assert_eq!(percent_decode("/a%2g%41%"), b"/a%2gA%");
    }

    #[test]
    fn other_schemes_and_hosts_are_no_path() {
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/x.yaml")), None);
        assert_eq!(to_path(&uri("https://example.com/x.yaml")), None);
    }
}
