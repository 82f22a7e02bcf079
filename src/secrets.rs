//! Heuristics for literal credentials: which names hold secrets, which values
//! cannot be one, URLs with passwords, command-line password flags and PEM
//! private keys. Nothing here ever returns or formats a value.

/// Split `DB_ROOT_PASSWORD`, `dbRootPassword`, `db-root.password` into
/// lower-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words that, last in a name, say the value is about a secret, not the secret
/// itself: `PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `ACCESS_KEY_ID`.
const NOT_THE_SECRET: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "directory",
    "ttl",
    "length",
    "len",
    "size",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "seconds",
    "period",
    "interval",
    "enabled",
    "enable",
    "disabled",
    "type",
    "mode",
    "name",
    "names",
    "ref",
    "id",
    "host",
    "port",
    "user",
    "username",
    "policy",
    "header",
    "field",
    "format",
    "algorithm",
    "version",
    "count",
    "min",
    "max",
    "location",
    "endpoint",
    "url",
    "uri",
    "mount",
    "env",
    "hash",
    "salt",
    "rotation",
    "provider",
    "store",
    "vault",
    "arn",
    "namespace",
    "prefix",
    "suffix",
    "required",
    "regex",
];

/// Whether a variable/key name says it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let w = words(name);
    let Some(last) = w.last() else {
        return false;
    };
    if NOT_THE_SECRET.contains(&last.as_str()) || w.iter().any(|x| x == "ttl") {
        return false;
    }
    // `MYSQL_ALLOW_EMPTY_PASSWORD`, `POSTGRES_HOST_AUTH_METHOD`-style switches
    if w.iter()
        .any(|x| x == "allow" || x == "empty" || x == "random" || x == "generate")
    {
        return false;
    }
    let strong = w.iter().any(|x| {
        x.contains("password")
            || x.contains("passwd")
            || x.contains("passphrase")
            || x.contains("secret")
            || x.contains("credential")
            || matches!(
                x.as_str(),
                "pwd"
                    | "token"
                    | "tokens"
                    | "apikey"
                    | "bearer"
                    | "privatekey"
                    | "accesskey"
                    | "secretkey"
            )
    });
    let key_pair = w.windows(2).any(|p| {
        p[1] == "key"
            && matches!(
                p[0].as_str(),
                "api"
                    | "private"
                    | "access"
                    | "secret"
                    | "signing"
                    | "encryption"
                    | "master"
                    | "auth"
            )
            || (p[0] == "key" && p[1] == "content")
    });
    strong || key_pair || last == "key"
}

/// Values that cannot be a literal credential: empty, references
/// (`$(VAR)`, `${VAR}`), file paths, numbers and booleans.
pub fn is_benign_value(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty()
        || v.starts_with("$(")
        || v.starts_with("${")
        || v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") || v.starts_with("file://")
    {
        return true;
    }
    if v.parse::<f64>().is_ok() {
        return true;
    }
    matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
    )
}

/// Whether the text holds a URL with a literal password (`scheme://user:pass@host`).
pub fn has_url_password(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some(at) = authority.rfind('@') {
            if let Some((_, pass)) = authority[..at].split_once(':') {
                if !pass.is_empty() && !is_benign_value(pass) && !pass.starts_with('$') {
                    return true;
                }
            }
        }
        rest = &after[end..];
    }
    false
}

/// Whether a command-line word is `--password=literal` (or `--db-token=…`).
pub fn is_secret_flag_with_value(word: &str) -> bool {
    let Some(flag) = word.strip_prefix('-') else {
        return false;
    };
    let Some((name, value)) = flag.trim_start_matches('-').split_once('=') else {
        return false;
    };
    let value = value.trim_matches(['"', '\'']);
    is_secret_name(name) && !is_benign_value(value)
}

/// Whether a command-line word is a bare secret flag (`--password`) whose value
/// is the next word.
pub fn is_secret_flag(word: &str) -> bool {
    word.starts_with("--") && !word.contains('=') && is_secret_name(&word[2..])
}

/// Whether text (a shell script in `args`, say) holds a `--password=literal`
/// word or a URL with a password.
pub fn text_has_credential(text: &str) -> bool {
    has_url_password(text) || text.split_whitespace().any(is_secret_flag_with_value)
}

/// Whether the text holds a PEM private key.
pub fn has_private_key(text: &str) -> bool {
    text.find("BEGIN")
        .is_some_and(|i| text[i..].contains("PRIVATE KEY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("DB_ROOT_PASSWORD"), ["db", "root", "password"]);
        assert_eq!(words("dbRootPassword"), ["db", "root", "password"]);
        assert_eq!(
            words("OCI_CLI_KEY_CONTENT"),
            ["oci", "cli", "key", "content"]
        );
    }

    #[test]
    fn secret_names() {
        for n in [
            "password",
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWORD",
            "my_password",
            "AWS_SECRET_ACCESS_KEY",
            "AZURE_BATCH_KEY",
            "OCI_CLI_KEY_CONTENT",
            "GITHUB_TOKEN",
            "apiKey",
            "API_KEY",
            "PRIVATE_KEY",
            "client-secret",
            "REDIS_PASSWD",
            "credentials",
            "db.password",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "POSTGRES_PASSWORD_FILE",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "TOKEN_TTL_SECONDS",
            "PASSWORD_LENGTH",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "user_name",
            "greeting",
            "PGDATA",
            "KEY_PATH",
            "TOKEN_TTL",
            "POSTGRES_USER",
            "keyspace",
            "monkey",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn benign_values() {
        for v in [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "$PASS",
            "/etc/secret/pw",
            "5432",
            "true",
            "no",
        ] {
            assert!(is_benign_value(v), "{v:?}");
        }
        for v in ["hunter2", "changeme", "s3cr3t!"] {
            assert!(!is_benign_value(v), "{v:?}");
        }
    }

    #[test]
    fn urls_and_flags() {
        assert!(has_url_password("postgres://app:hunter2@db:5432/app"));
        assert!(has_url_password("x redis://:hunter2@cache:6379/0 y"));
        assert!(!has_url_password("postgres://app@db:5432/app"));
        assert!(!has_url_password("postgres://app:$(DB_PASSWORD)@db/app"));
        assert!(!has_url_password("http://example.com:8080/path"));
        assert!(is_secret_flag_with_value("--password=hunter2"));
        assert!(is_secret_flag_with_value("--db-token='abc'"));
        assert!(!is_secret_flag_with_value("--password=$(PW)"));
        assert!(!is_secret_flag_with_value("--password-file=/run/pw"));
        assert!(is_secret_flag("--password"));
        assert!(!is_secret_flag("--port"));
        assert!(text_has_credential(
            "mysqld --user=mysql --password=hunter2"
        ));
    }

    #[test]
    fn private_keys() {
        assert!(has_private_key("-----BEGIN RSA PRIVATE KEY-----\nabc"));
        assert!(has_private_key("---BEGIN OPENSSH PRIVATE KEY---"));
        assert!(!has_private_key("-----BEGIN CERTIFICATE-----"));
    }
}
