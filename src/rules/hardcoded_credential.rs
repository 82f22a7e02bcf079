//! `hardcoded-credential` — documented in rules/hardcoded-credential.md
//!
//! Reports the hits of the one credential detector, `crate::secrets::scan`
//! (the same detector decides what every output masks). Never puts a value in
//! a message; every reported value is marked secret.

use crate::manifest::Object;
use crate::rule::{Rule, Sink};
use crate::secrets::What;

pub struct HardcodedCredential;

const HELP_ENV: &str = "move the value into a Secret and reference it with `valueFrom.secretKeyRef` (or mount the Secret as a file)";
const HELP_ARG: &str = "pass the credential through an env var from a Secret (`$(DB_PASSWORD)` in args expands it) or a mounted Secret file";
const HELP_PROBE: &str = "set an env var from a Secret (`valueFrom.secretKeyRef`) and use it in a shell: `sh -c 'mysqladmin ping -uroot -p\"$MYSQL_ROOT_PASSWORD\"'` (probe and hook commands do not expand `$(VAR)`)";
const HELP_CM: &str = "move this key into a Secret; ConfigMaps are not access-controlled or encrypted like Secrets";
const HELP_CM_LINE: &str = "move the config file (or the password line, through an include or an env-var placeholder the program expands) into a Secret and mount it; ConfigMaps are not access-controlled or encrypted like Secrets";

impl Rule for HardcodedCredential {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        for h in &obj.credentials {
            let who = format!("{} `{}`", obj.kind, obj.name);
            let c = h.container.as_deref().unwrap_or("?");
            let (message, label, help) = match &h.what {
                What::EnvSecret { name } => (
                    format!("env var `{name}` of container `{c}` in {who} holds a literal credential (value masked)"),
                    "literal credential",
                    HELP_ENV.to_string(),
                ),
                What::EnvUrl { name } => (
                    format!("env var `{name}` of container `{c}` in {who} holds a URL with a literal password (value masked)"),
                    "literal credential",
                    HELP_ENV.to_string(),
                ),
                What::EnvPem { name } => (
                    format!("env var `{name}` of container `{c}` in {who} holds a PEM private key (value masked)"),
                    "literal credential",
                    HELP_ENV.to_string(),
                ),
                What::EmptyPassword { name, any_value } => (
                    format!(
                        "env var `{name}` of container `{c}` in {who} switches on an empty password{}: the database initialises without one, which lets anyone who can reach the port connect as root without a password",
                        if *any_value { " (any non-empty value does, even `no` or `false`)" } else { "" }
                    ),
                    "passwordless root allowed",
                    format!("remove `{name}` and set the root password from a Secret (`valueFrom.secretKeyRef`), e.g. `MYSQL_ROOT_PASSWORD` / `MARIADB_ROOT_PASSWORD` (or the image's password variable)"),
                ),
                What::TrustAuth { name } => (
                    format!("env var `{name}` of container `{c}` in {who} is `trust`: PostgreSQL accepts every connection without a password, which lets anyone who can reach the port connect as any user, the superuser included"),
                    "no password required",
                    format!("remove `{name}` (the image then requires passwords) and set `POSTGRES_PASSWORD` from a Secret (`valueFrom.secretKeyRef`)"),
                ),
                What::CommandLine { place, flag } => {
                    let probe = place.contains('.');
                    (
                        format!("`{place}` of container `{c}` passes a literal credential with {} on the command line (value masked)", if flag == "a URL" { flag.clone() } else { format!("`{flag}`") }),
                        "literal credential",
                        if probe { HELP_PROBE } else { HELP_ARG }.to_string(),
                    )
                }
                What::CommandPem { place } => (
                    format!("`{place}` of container `{c}` passes a PEM private key on the command line (value masked)"),
                    "private key",
                    HELP_ARG.to_string(),
                ),
                What::DataKey { key } => (
                    format!("ConfigMap `{}` key `{key}` holds a literal credential (value masked)", obj.name),
                    "literal credential",
                    HELP_CM.to_string(),
                ),
                What::DataUrl { key } => (
                    format!("ConfigMap `{}` key `{key}` holds a URL with a literal password (value masked)", obj.name),
                    "literal credential",
                    HELP_CM.to_string(),
                ),
                What::DataPem { key } => (
                    format!("ConfigMap `{}` key `{key}` holds a PEM private key (value masked)", obj.name),
                    "literal credential",
                    HELP_CM.to_string(),
                ),
                What::DataLine { key, setting, line } => (
                    format!("ConfigMap `{}` key `{key}` holds a config file that sets {setting} to a literal credential on its line {line} (value masked)", obj.name),
                    "literal credential",
                    HELP_CM_LINE.to_string(),
                ),
                What::Pem { path } => (
                    format!("{who} holds a PEM private key at `{path}` (value masked)"),
                    "private key",
                    "keep private keys in a Secret (or an external secret manager) and mount them".to_string(),
                ),
            };
            let p = out.report(&h.field, message);
            p.label(label).help(help);
            if !h.on_key {
                p.on_value();
            }
            // Where, exactly: no path lookup (a ConfigMap may hold thousands
            // of keys). Every masked span is masked in every output already
            // (`Object::credentials` feeds the file's secret spans).
            p.at_span(h.at.unwrap_or(h.node));
        }
    }
}
